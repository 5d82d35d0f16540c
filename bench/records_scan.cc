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

// A string member's text as it stands between its quotes, when it holds no
// escape (base64 never needs one); otherwise unescaped by simdjson. Reading
// the raw token skips copying every record's Data into the parser's buffer.
std::string_view StringText(od::value value) {
  std::string_view token = value.raw_json_token();
  while (!token.empty() && std::strchr(" \t\n\r", token.back()) != nullptr) token.remove_suffix(1);
  if (token.size() >= 2 && token.front() == '"' && token.back() == '"' &&
      std::memchr(token.data(), '\\', token.size()) == nullptr) {
    return token.substr(1, token.size() - 2);
  }
  return value.get_string();
}

}  // namespace

std::optional<RecordsPage> ScanGetRecords(const std::string& body, const RecordVisitor& on_record) {
  thread_local od::parser parser;
  // Parsed where it lies when the string has simdjson's padding to spare
  // (the client reserves it: AppendingBody), else from a padded copy.
  std::optional<simdjson::padded_string> copy;
  simdjson::padded_string_view view;
  if (body.capacity() - body.size() >= simdjson::SIMDJSON_PADDING) {
    view = simdjson::padded_string_view(body.data(), body.size(), body.capacity());
  } else {
    copy.emplace(body);
    view = *copy;
  }
  RecordsPage page;
  try {
    od::document doc = parser.iterate(view);
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
            std::string_view data = StringText(member.value());
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
