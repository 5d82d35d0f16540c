// H2Subscription: the machinery of one SubscribeToShard subscription — its
// own connection (AnyStream: h2c with prior knowledge, or TLS with ALPN
// "h2"), an nghttp2 client session carrying the one request, and the event
// stream of the response decoded message by message (EventStreamDecoder)
// into SubscribeToShardEvents.
//
// Everything runs on the subscription's strand; Start, Close and the pull
// queue's Next are safe from any thread. Counted as work of its ClientCore
// from Start until the end is delivered. Internal to libriffle-kinesis.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "client/any_stream.h"
#include "client/event_stream_reader.h"
#include "riffle/kinesis/error.h"
#include "riffle/kinesis/model.h"
#include "riffle/kinesis/subscription.h"

struct nghttp2_session;

namespace riffle::kinesis::internal {

class ClientCore;

class H2Subscription : public std::enable_shared_from_this<H2Subscription> {
 public:
  // Events waiting in the pull queue before the connection stops being read.
  static constexpr size_t kMaxQueuedEvents = 4;

  // `handlers` empty (no on_event): pull form, events queue for Next().
  H2Subscription(ClientCore& core, SubscriptionHandlers handlers);
  ~H2Subscription();

  // Connects and sends SubscribeToShard with `body`; blocks until the
  // service accepted the subscription or it failed.
  std::optional<Error> Start(std::string body);
  void Close();
  // Pull form: see ShardSubscription::Next.
  Result<std::optional<SubscribeToShardEvent>> Next();
  // Blocks until the end has been delivered (handlers returned).
  void WaitEnded();

  // nghttp2 callbacks (h2_subscription.cc); strand only.
  void OnHeader(int32_t stream_id, std::string_view name, std::string_view value);
  void OnData(int32_t stream_id, std::string_view data);
  void OnStreamClose(int32_t stream_id, uint32_t error_code);
  size_t ReadBody(uint8_t* out, size_t length, bool* eof);

 private:
  using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;

  void Connected(std::optional<Error> error);
  void Flush();
  void Read();
  void Resume();
  void HandleMessage(EventMessage& message);
  void Accept(std::optional<Error> error);
  void Deliver(SubscribeToShardEvent event);
  void End(Result<Empty> end);

  ClientCore& core_;
  SubscriptionHandlers handlers_;
  const bool pull_;
  Strand strand_;
  AnyStream stream_;
  boost::asio::steady_timer timer_;
  nghttp2_session* session_ = nullptr;
  std::optional<size_t> closer_;
  // Request and response (strand only).
  std::string body_;
  size_t body_sent_ = 0;
  int32_t stream_id_ = -1;
  int status_ = 0;
  std::string request_id_;
  std::string error_body_;
  EventStreamDecoder decoder_;
  std::vector<uint8_t> read_buffer_;
  bool writing_ = false;
  bool reading_ = false;
  bool paused_ = false;
  bool ended_ = false;
  bool timed_out_ = false;
  // Shared with the caller's threads.
  std::mutex mutex_;
  std::condition_variable changed_;
  std::optional<std::optional<Error>> accepted_;                  // guarded by mutex_
  std::deque<SubscribeToShardEvent> queue_;                       // guarded by mutex_ (pull)
  std::optional<Result<Empty>> end_;                              // guarded by mutex_ (pull: the final item)
  bool end_delivered_ = false;                                    // guarded by mutex_
};

}  // namespace riffle::kinesis::internal
