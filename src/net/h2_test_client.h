// H2Client: a minimal blocking HTTP/2 client (nghttp2 client session over
// a blocking socket) for the net unit tests. Test-only header.
#pragma once

#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <gtest/gtest.h>

namespace riffle::net::h2test {

namespace h2_asio = boost::asio;

struct Reply {
  std::map<std::string, std::string> headers;
  std::string body;
  bool closed = false;
  uint32_t error_code = 0;
};

// A minimal blocking HTTP/2 client on nghttp2's client session.
class H2Client {
 public:
  explicit H2Client(uint16_t port) : socket_(ioc_) {
    socket_.connect(h2_asio::ip::tcp::endpoint(h2_asio::ip::make_address("127.0.0.1"), port));
    socket_.set_option(h2_asio::ip::tcp::no_delay(true));
    nghttp2_session_callbacks* cbs = nullptr;
    nghttp2_session_callbacks_new(&cbs);
    nghttp2_session_callbacks_set_on_header_callback(
        cbs, [](nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name, size_t namelen,
                const uint8_t* value, size_t valuelen, uint8_t, void* user) -> int {
          auto* self = static_cast<H2Client*>(user);
          self->replies_[frame->hd.stream_id].headers[std::string(reinterpret_cast<const char*>(name), namelen)] =
              std::string(reinterpret_cast<const char*>(value), valuelen);
          return 0;
        });
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(
        cbs, [](nghttp2_session*, uint8_t, int32_t stream_id, const uint8_t* data, size_t len,
                void* user) -> int {
          static_cast<H2Client*>(user)->replies_[stream_id].body.append(
              reinterpret_cast<const char*>(data), len);
          return 0;
        });
    nghttp2_session_callbacks_set_on_stream_close_callback(
        cbs, [](nghttp2_session*, int32_t stream_id, uint32_t error_code, void* user) -> int {
          auto& reply = static_cast<H2Client*>(user)->replies_[stream_id];
          reply.closed = true;
          reply.error_code = error_code;
          return 0;
        });
    nghttp2_session_callbacks_set_on_frame_recv_callback(
        cbs, [](nghttp2_session*, const nghttp2_frame* frame, void* user) -> int {
          if (frame->hd.type == NGHTTP2_GOAWAY) static_cast<H2Client*>(user)->goaway_ = true;
          return 0;
        });
    nghttp2_session_client_new(&session_, cbs, this);
    nghttp2_session_callbacks_del(cbs);
    nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, nullptr, 0);
  }
  ~H2Client() { nghttp2_session_del(session_); }

  // Submits a POST; returns its stream id.
  int32_t Post(const std::string& path, std::string body, const std::string& x_test = "") {
    bodies_.push_back(std::move(body));
    const std::string& b = bodies_.back();
    std::string length = std::to_string(b.size());
    std::vector<std::pair<std::string, std::string>> headers = {
        {":method", "POST"}, {":scheme", "http"}, {":authority", "127.0.0.1:4567"},
        {":path", path}, {"content-type", "application/x-amz-json-1.1"}, {"content-length", length}};
    if (!x_test.empty()) headers.emplace_back("x-test", x_test);
    std::vector<nghttp2_nv> nva;
    for (auto& [n, v] : headers) {
      nva.push_back({reinterpret_cast<uint8_t*>(n.data()), reinterpret_cast<uint8_t*>(v.data()), n.size(),
                     v.size(), NGHTTP2_NV_FLAG_NONE});
    }
    nghttp2_data_provider provider{};
    provider.source.ptr = const_cast<std::string*>(&b);
    provider.read_callback = [](nghttp2_session*, int32_t stream_id, uint8_t* buf, size_t length,
                                uint32_t* flags, nghttp2_data_source* source, void* user) -> ssize_t {
      auto* body = static_cast<std::string*>(source->ptr);
      size_t& offset = static_cast<H2Client*>(user)->offsets_[stream_id];
      size_t n = std::min(length, body->size() - offset);
      std::memcpy(buf, body->data() + offset, n);
      offset += n;
      if (offset == body->size()) *flags |= NGHTTP2_DATA_FLAG_EOF;
      return static_cast<ssize_t>(n);
    };
    int32_t id = nghttp2_submit_request(session_, nullptr, nva.data(), nva.size(), &provider, nullptr);
    EXPECT_GT(id, 0);
    replies_[id];
    return id;
  }

  // Exchanges frames until every submitted stream closed (or the server
  // closed the connection). Returns false on a connection error.
  bool RunUntilDone(const std::function<bool()>& done = nullptr) {
    for (;;) {
      if (!Send()) return false;
      bool all = std::all_of(replies_.begin(), replies_.end(), [](const auto& r) { return r.second.closed; });
      if (done ? done() : all) return true;
      if (!Receive()) return false;
    }
  }

  bool Send() {
    for (;;) {
      const uint8_t* data = nullptr;
      ssize_t n = nghttp2_session_mem_send(session_, &data);
      if (n < 0) return false;
      if (n == 0) return true;
      boost::system::error_code ec;
      h2_asio::write(socket_, h2_asio::buffer(data, static_cast<size_t>(n)), ec);
      if (ec) return false;
    }
  }

  bool Receive() {
    char buf[65536];
    boost::system::error_code ec;
    size_t n = socket_.read_some(h2_asio::buffer(buf), ec);
    if (ec) return false;
    return nghttp2_session_mem_recv(session_, reinterpret_cast<const uint8_t*>(buf), n) >= 0;
  }

  // Reads until the server closes the connection; true if it did.
  bool ReadUntilEof() {
    for (;;) {
      if (!Send()) return true;
      char buf[65536];
      boost::system::error_code ec;
      size_t n = socket_.read_some(h2_asio::buffer(buf), ec);
      if (ec) return ec == h2_asio::error::eof || ec == h2_asio::error::connection_reset;
      nghttp2_session_mem_recv(session_, reinterpret_cast<const uint8_t*>(buf), n);
    }
  }

  Reply& reply(int32_t id) { return replies_[id]; }
  bool goaway() const { return goaway_; }

 private:
  h2_asio::io_context ioc_;
  h2_asio::ip::tcp::socket socket_;
  nghttp2_session* session_ = nullptr;
  std::map<int32_t, Reply> replies_;
  std::deque<std::string> bodies_;
  std::map<int32_t, size_t> offsets_;  // request body bytes sent, per stream
  bool goaway_ = false;
};

}  // namespace riffle::net::h2test
