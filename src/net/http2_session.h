// Http2Session: one connection speaking HTTP/2 (nghttp2), over TCP (h2c with
// prior knowledge, detected by Connection) or TLS (ALPN "h2").
//
// Many concurrent streams per connection. Each stream's complete request
// (headers + body) becomes one HttpRequest for the RequestHandler:
// `:method` -> method, `:path` -> target, `:authority` -> a `host` header
// (first), other headers as received. Responses are sent with flow control
// (nghttp2 splits bodies into DATA frames as windows allow). Shutdown() sends
// GOAWAY: requests already received finish, then the connection closes.
//
// Not part of the public API. `Stream` is beast::tcp_stream or
// beast::ssl_stream<beast::tcp_stream> (explicitly instantiated in the .cc).
//
// Thread-safety: everything runs on the stream's strand; Start(), Shutdown(),
// ForceClose() and the ResponseSenders only post onto it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/error.hpp>

#include "net/http_types.h"
#include "net/server_core.h"
#include "net/session.h"

struct nghttp2_session;

namespace riffle::net::internal {

template <class Stream>
class Http2Session final : public Session, public std::enable_shared_from_this<Http2Session<Stream>> {
 public:
  // `initial` holds bytes already read from `stream` (e.g. the preface).
  Http2Session(ServerCore* core, Stream stream, std::string initial);
  ~Http2Session() override;
  Http2Session(const Http2Session&) = delete;
  Http2Session& operator=(const Http2Session&) = delete;

  void Start() override;
  void Shutdown() override;
  void ForceClose() override;

  // Called by the nghttp2 callbacks (http2_session.cc); strand only.
  struct StreamState {
    HttpRequest request;
    HttpResponse response;
    size_t body_offset = 0;    // of response.body already handed to nghttp2
    uint64_t seq = 0;          // id checked by the sender
    bool in_flight = false;    // handed to the handler, counted in core
    bool rejected = false;     // answered early (e.g. 413); ignore more data
    // A streamed body (response.stream): bytes pulled but not yet handed to
    // nghttp2, and whether the data provider is deferred waiting for more.
    std::string pending;
    size_t pending_offset = 0;
    bool deferred = false;
    bool body_ended = false;
    std::unique_ptr<boost::asio::steady_timer> retry_timer;
    size_t header_bytes = 0;   // header list size received so far
    bool headers_done = false;
    // Until the request is complete: when its header block (--header-timeout)
    // or its body (--idle-timeout) must have arrived (http2_timeouts.cc).
    std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  };
  StreamState* FindStream(int32_t stream_id);
  void OnBeginRequest(int32_t stream_id);
  void OnHeader(int32_t stream_id, std::string_view name, std::string_view value);
  void OnHeadersComplete(int32_t stream_id);
  void OnData(int32_t stream_id, const uint8_t* data, size_t size);
  void OnRequestComplete(int32_t stream_id);
  void OnStreamClose(int32_t stream_id);
  // Copies up to `length` bytes of the response body; sets *eof at the end.
  // Returns NGHTTP2_ERR_DEFERRED while a streamed body has nothing ready.
  ssize_t ReadBody(int32_t stream_id, uint8_t* buf, size_t length, bool* eof);
  // Request activity (a response frame sent, a stream opened or closed) now.
  void MarkActive();

 private:
  void DoRead();
  void OnRead(boost::beast::error_code ec, size_t bytes);
  // Feeds received bytes to nghttp2; false on a protocol error (closed).
  bool Receive(const uint8_t* data, size_t size);
  // Writes whatever nghttp2 has queued; closes when the session is over.
  void Flush();
  void OnWritten(boost::beast::error_code ec, size_t bytes);
  void Dispatch(int32_t stream_id, StreamState& state);
  void OnResponse(int32_t stream_id, uint64_t seq, HttpResponse response);
  void SubmitResponse(int32_t stream_id, StreamState& state);
  // Streamed bodies (http2_body_stream.cc): the next bytes for ReadBody,
  // and the wake-up that resumes a deferred stream.
  ssize_t ReadStreamedBody(int32_t stream_id, StreamState& state, uint8_t* buf, size_t length, bool* eof);
  void OnBodyWake(int32_t stream_id, uint64_t seq);
  void StartStreamedBody(int32_t stream_id, StreamState& state);
  void WakeDeferredBodies();
  // Ends (in ServerCore) the requests whose streams closed and whose last
  // bytes were written.
  void ReleaseEnded();
  void SendGoaway();
  // Timeouts (http2_timeouts.cc). A stream's header block must arrive within
  // --header-timeout and its body within --idle-timeout; a connection
  // without requests, responses or subscriptions in progress gets GOAWAY once
  // --idle-timeout (--header-timeout before its first request) passed since
  // its last request activity (MarkActive); PING, SETTINGS and WINDOW_UPDATE
  // frames are not activity. ScheduleCheck() makes sure CheckTimeouts() runs
  // by `at`.
  void ScheduleCheck(std::chrono::steady_clock::time_point at);
  void CheckTimeouts();
  // Sends GOAWAY with `error_code` and closes once it is written, or after a
  // short linger if the client does not read.
  void Terminate(uint32_t error_code);
  void Close();

  ServerCore* const core_;
  Stream stream_;
  std::string initial_;
  nghttp2_session* session_ = nullptr;
  boost::asio::steady_timer idle_timer_;
  std::chrono::steady_clock::time_point check_at_ = std::chrono::steady_clock::time_point::max();
  std::chrono::steady_clock::time_point last_active_;
  std::chrono::steady_clock::time_point close_at_ = std::chrono::steady_clock::time_point::max();
  std::unordered_map<int32_t, StreamState> streams_;
  std::string read_buffer_;
  std::string write_buffer_;  // being written
  uint64_t next_seq_ = 0;
  int64_t ended_unwritten_ = 0;
  bool reading_ = false;
  bool writing_ = false;
  bool goaway_sent_ = false;
  bool served_ = false;  // a complete request arrived
  bool closed_ = false;
};

}  // namespace riffle::net::internal
