// `riffle tail NAME [--from ...] [--follow] [--count N] [--format text|json]`:
// the stream's records through a StreamReader (every shard, parents before
// children, aggregated records split). text: each record's data and a
// newline; json: one object a line, data in base64 (it may be binary).
#include <cctype>
#include <charconv>
#include <cstdio>
#include <ctime>

#include "app/client_command_support.h"
#include "protocol/json_writer.h"

namespace riffle::app {

namespace {

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// "2026-01-02T03:04:05[.fff](Z|+hh:mm|-hh:mm)" (or a space for the T) as epoch seconds.
std::optional<double> ParseIsoTime(std::string_view s) {
  std::tm tm{};
  int consumed = 0;
  std::string text(s);
  int year, month, day, hour, minute, second;
  char sep;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2d%c%2d:%2d:%2d%n", &year, &month, &day, &sep, &hour, &minute, &second,
                  &consumed) != 7 ||
      (sep != 'T' && sep != ' ')) {
    return std::nullopt;
  }
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  double value = static_cast<double>(timegm(&tm));
  std::string_view rest = s.substr(static_cast<size_t>(consumed));
  if (rest.starts_with('.')) {
    size_t n = 1;
    double scale = 0.1;
    while (n < rest.size() && std::isdigit(static_cast<unsigned char>(rest[n]))) {
      value += (rest[n] - '0') * scale;
      scale /= 10;
      ++n;
    }
    rest.remove_prefix(n);
  }
  if (rest == "Z" || rest.empty()) return value;
  int oh = 0, om = 0;
  if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':' &&
      std::sscanf(std::string(rest.substr(1)).c_str(), "%2d:%2d", &oh, &om) == 2) {
    const double offset = oh * 3600.0 + om * 60.0;
    return rest[0] == '+' ? value - offset : value + offset;
  }
  return std::nullopt;
}

void PrintJson(const kinesis::StreamRecord& r) {
  protocol::JsonWriter w;
  w.BeginObject();
  w.Key("shard");
  w.String(r.shard_id);
  w.Key("sequence_number");
  w.String(r.sequence_number);
  w.Key("sub_sequence_number");
  w.Int(static_cast<int64_t>(r.sub_sequence_number));
  w.Key("partition_key");
  w.String(r.partition_key);
  if (r.explicit_hash_key) {
    w.Key("explicit_hash_key");
    w.String(*r.explicit_hash_key);
  }
  w.Key("arrival");
  w.String(FormatTime(r.approximate_arrival_timestamp));
  w.Key("data");
  w.Blob(r.data);
  w.EndObject();
  std::string line = w.Take();
  line.push_back('\n');
  std::fwrite(line.data(), 1, line.size(), stdout);
}

}  // namespace

std::optional<kinesis::StreamPosition> ParseTailFrom(std::string_view text) {
  using Type = kinesis::StreamPosition::Type;
  if (text == "trim-horizon") return kinesis::StreamPosition{Type::kTrimHorizon, 0, {}};
  if (text == "latest") return kinesis::StreamPosition{Type::kLatest, 0, {}};
  if (AllDigits(text) && text.size() > 12) return kinesis::StreamPosition{Type::kAtSequenceNumber, 0, std::string(text)};
  if (auto when = ParseIsoTime(text)) return kinesis::StreamPosition{Type::kAtTimestamp, *when, {}};
  double seconds = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (ec == std::errc() && end == text.data() + text.size() && seconds >= 0) {
    return kinesis::StreamPosition{Type::kAtTimestamp, seconds, {}};
  }
  return std::nullopt;
}

int RunTail(const ClientFlags& flags, const TailFlags& tail) {
  auto from = ParseTailFrom(tail.from);
  if (!from) {
    std::fprintf(stderr,
                 "riffle: --from %s: expected trim-horizon, latest, a time (2026-01-02T03:04:05Z or epoch seconds) "
                 "or a sequence number\n",
                 tail.from.c_str());
    return 2;
  }
  auto client = MakeCommandClient(flags);
  if (!client) return 1;
  kinesis::StreamReaderOptions options;
  options.stream_name = tail.name;
  options.start = *from;
  options.follow = tail.follow;
  options.poll_interval = std::chrono::milliseconds(500);
  auto reader = kinesis::StreamReader::Create(client, options);
  if (!reader.ok()) return Fail("stream " + tail.name, reader.error());
  int64_t printed = 0;
  for (;;) {
    auto records = (*reader)->Next();
    if (!records.ok()) return Fail("reading " + tail.name, records.error());
    if (!*records) break;
    for (const kinesis::StreamRecord& r : **records) {
      if (tail.format == "json") {
        PrintJson(r);
      } else {
        std::fwrite(r.data.data(), 1, r.data.size(), stdout);
        std::fputc('\n', stdout);
      }
      if (tail.count > 0 && ++printed >= tail.count) {
        std::fflush(stdout);
        return 0;
      }
    }
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace riffle::app
