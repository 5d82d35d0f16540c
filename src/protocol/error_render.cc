#include "protocol/error_render.h"

#include "protocol/cbor_writer.h"

namespace riffle::protocol {

void AppendJsonString(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += "\\u00";
          out.push_back(kHex[(c >> 4) & 0xF]);
          out.push_back(kHex[c & 0xF]);
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
}

namespace {

// The JSON key of the message. Kinesis's own error shapes use "message";
// errors raised by the Coral framework while reading the request body
// (SerializationException) use "Message" (kinesalite test/helpers.js
// assertSerialization, recorded from real Kinesis).
std::string_view MessageKey(const ApiError& error) {
  return error.type == "SerializationException" ? "Message" : "message";
}

}  // namespace

std::string RenderErrorJson(const ApiError& error) {
  std::string out = "{\"__type\":";
  AppendJsonString(out, error.type);
  if (!error.message.empty()) {
    out += ",\"";
    out += MessageKey(error);
    out += "\":";
    AppendJsonString(out, error.message);
  }
  out.push_back('}');
  return out;
}

std::string RenderErrorCbor(const ApiError& error) {
  CborWriter w;
  w.BeginMap();
  w.Text("__type");
  w.Text(error.type);
  if (!error.message.empty()) {
    w.Text(MessageKey(error));
    w.Text(error.message);
  }
  w.End();
  return w.Take();
}

}  // namespace riffle::protocol
