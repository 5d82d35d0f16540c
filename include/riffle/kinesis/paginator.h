// Paginator<Op>: the pages of a paginated operation (ListStreams,
// ListShards, ListStreamConsumers, DescribeStream's shards), following the
// tokens of AWS's paginator model (riffle/kinesis/paginators.h, generated).
//
//   kinesis::Paginator<kinesis::ops::ListShards> pages(*client, {.StreamName = "orders"});
//   while (pages.HasMorePages()) {
//     auto page = pages.NextPage();
//     if (!page.ok()) return page.error();   // or call NextPage() again to retry that page
//     for (const kinesis::Shard& shard : page->Shards.value_or(std::vector<kinesis::Shard>{})) ...
//   }
//
// ListShards: after the first page only NextToken is sent (AWS refuses a
// NextToken with StreamName). Thread-compatible; the Client must outlive it.
#pragma once

#include <utility>

#include "riffle/kinesis/client.h"
#include "riffle/kinesis/paginators.h"

namespace riffle::kinesis {

template <typename Op>
class Paginator {
 public:
  using Input = typename Op::Input;
  using Output = typename Op::Output;

  Paginator(Client& client, Input first) : client_(client), request_(std::move(first)) {}

  // False once the last page was returned.
  bool HasMorePages() const { return more_; }

  // The next page. After an error the paginator stays on that page.
  Result<Output> NextPage() {
    Result<Output> page = PaginationTraits<Op>::Call(client_, request_);
    if (page.ok()) more_ = PaginationTraits<Op>::Advance(request_, page.value());
    return page;
  }

 private:
  Client& client_;
  Input request_;
  bool more_ = true;
};

}  // namespace riffle::kinesis
