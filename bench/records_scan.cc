#include "records_scan.h"

#include <simdjson.h>

#include <cstring>

#include "protocol/base64.h"

namespace riffle::bench {

namespace od = simdjson::ondemand;

namespace {

size_t Base64DecodedSize(std::string_view text) {
  size_t n = text.size() / 4 * 3;
  if (!text.empty() && text.back() == '=') --n;
  if (text.size() > 1 && text[text.size() - 2] == '=') --n;
  return n;
}

}  // namespace

std::optional<RecordsPage> ScanGetRecords(std::string_view body, const RecordVisitor& on_record) {
  thread_local od::parser parser;
  simdjson::padded_string padded(body);
  RecordsPage page;
  try {
    od::document doc = parser.iterate(padded);
    for (auto field : doc.get_object()) {
      std::string_view key = field.unescaped_key().value();
      if (key == "NextShardIterator") {
        od::value v = field.value();
        if (!v.is_null()) page.next_shard_iterator = std::string(std::string_view(v.get_string()));
      } else if (key == "MillisBehindLatest") {
        page.millis_behind_latest = field.value().get_int64();
      } else if (key == "Records") {
        for (auto record : field.value().get_array()) {
          for (auto member : record.get_object()) {
            if (member.unescaped_key().value() != "Data") continue;
            std::string_view data = member.value().get_string();
            page.data_bytes += Base64DecodedSize(data);
            if (on_record) on_record(data);
          }
          ++page.records;
        }
      }
    }
  } catch (const simdjson::simdjson_error&) {
    return std::nullopt;
  }
  return page;
}

std::optional<int64_t> SentTime(std::string_view data) {
  if (data.size() < 8) return std::nullopt;
  int64_t sent = 0;
  std::memcpy(&sent, data.data(), sizeof(sent));
  return sent;
}

}  // namespace riffle::bench
