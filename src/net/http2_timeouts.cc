// Http2Session's timeouts: slow or silent HTTP/2 clients give their
// resources back as HTTP/1.1 ones do (http_connection.cc).
//
// - A stream's header block must be complete within --header-timeout of its
//   first HEADERS frame. Until it is, HTTP/2 allows no other frame on the
//   connection, so a stalled header block ends the connection (GOAWAY).
// - A stream's body (up to END_STREAM) must be complete within --idle-timeout
//   of its header block. A stalled body gets RST_STREAM (CANCEL), which frees
//   what it buffered, and the connection GOAWAY: requests already received
//   finish, the client opens a new connection for more.
// - A connection with nothing in progress (no unfinished request, no request
//   waiting for its handler, no streamed response such as SubscribeToShard)
//   gets GOAWAY once --idle-timeout passed since its last request activity,
//   or --header-timeout before its first request. Activity is a stream
//   opened, a request completed, a stream closed, a response HEADERS or DATA
//   frame sent; PING, SETTINGS and WINDOW_UPDATE frames are not, so a client
//   cannot hold a connection with them alone. A connection that still has not
//   closed one more period after its GOAWAY is closed.
//
// One steady_timer per session runs CheckTimeouts() at the earliest deadline.
#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <vector>

#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <spdlog/spdlog.h>

#include "net/http2_session.h"

namespace riffle::net::internal {

namespace beast = boost::beast;
using Clock = std::chrono::steady_clock;

namespace {
// How long a client that does not read gets to take a final GOAWAY.
constexpr auto kCloseLinger = std::chrono::seconds(2);
}  // namespace

template <class Stream>
void Http2Session<Stream>::MarkActive() {
  last_active_ = Clock::now();
}

template <class Stream>
void Http2Session<Stream>::ScheduleCheck(Clock::time_point at) {
  if (closed_ || at >= check_at_) return;  // an earlier check is pending
  check_at_ = at;
  idle_timer_.expires_at(at);
  idle_timer_.async_wait([weak = this->weak_from_this()](beast::error_code ec) {
    auto self = weak.lock();
    if (ec || !self || self->closed_) return;  // re-armed, or gone
    self->check_at_ = Clock::time_point::max();
    self->CheckTimeouts();
  });
}

template <class Stream>
void Http2Session<Stream>::CheckTimeouts() {
  const auto now = Clock::now();
  if (close_at_ != Clock::time_point::max()) {
    if (now >= close_at_) return Close();
    return ScheduleCheck(close_at_);
  }
  const auto header_limit = std::chrono::seconds(core_->options().header_timeout_seconds);
  const auto idle_limit = std::chrono::seconds(core_->options().idle_timeout_seconds);
  auto next = Clock::time_point::max();
  bool busy = false;
  std::vector<int32_t> stalled;
  for (const auto& [id, state] : streams_) {
    if (state.in_flight) {
      // Waiting for its handler, or a streamed response still running.
      if (!state.rejected || (state.response.stream && !state.body_ended)) busy = true;
      continue;
    }
    if (state.rejected) continue;  // answered early (413, 431): only the answer is left
    if (state.deadline > now) {
      busy = true;  // an unfinished request, bounded by its own deadline
      next = std::min(next, state.deadline);
      continue;
    }
    if (!state.headers_done) {
      spdlog::debug("http2: stream {} did not complete its header block in time: closing", id);
      return Terminate(NGHTTP2_NO_ERROR);
    }
    stalled.push_back(id);
  }
  if (!stalled.empty()) {
    for (int32_t id : stalled) {
      spdlog::debug("http2: stream {} did not complete its body in time: reset", id);
      StreamState& state = streams_.at(id);
      state.rejected = true;
      state.request = HttpRequest{};
      nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, id, NGHTTP2_CANCEL);
    }
    SendGoaway();
    MarkActive();  // one more period to take the GOAWAY and finish
  }
  const auto limit = served_ ? idle_limit : header_limit;
  if (busy) {
    next = std::min(next, now + idle_limit);
  } else if (now >= last_active_ + limit) {
    if (goaway_sent_) return Close();
    SendGoaway();
    MarkActive();
    next = std::min(next, last_active_ + limit);
  } else {
    next = std::min(next, last_active_ + limit);
  }
  Flush();
  if (!closed_) ScheduleCheck(next);
}

template <class Stream>
void Http2Session<Stream>::Terminate(uint32_t error_code) {
  // nghttp2 sends GOAWAY and then wants neither to read nor to write, so
  // Flush() closes the connection once the GOAWAY is written.
  nghttp2_session_terminate_session(session_, error_code);
  goaway_sent_ = true;
  Flush();
  if (closed_) return;
  if (!writing_) return Close();
  // A client that does not read (e.g. a PING flood) gets a moment to take
  // the GOAWAY, then the connection closes regardless.
  close_at_ = Clock::now() + kCloseLinger;
  ScheduleCheck(close_at_);
}

#define RIFFLE_INSTANTIATE_TIMEOUTS(S)                                     \
  template void Http2Session<S>::MarkActive();                             \
  template void Http2Session<S>::ScheduleCheck(Clock::time_point);         \
  template void Http2Session<S>::CheckTimeouts();                          \
  template void Http2Session<S>::Terminate(uint32_t);
RIFFLE_INSTANTIATE_TIMEOUTS(beast::tcp_stream)
RIFFLE_INSTANTIATE_TIMEOUTS(beast::ssl_stream<beast::tcp_stream>)
#undef RIFFLE_INSTANTIATE_TIMEOUTS

}  // namespace riffle::net::internal
