// Http2Session (http2_session.h): streamed response bodies over HTTP/2.
//
// The response is submitted with a data provider and no content-length.
// nghttp2 calls the provider only while the stream's and the connection's
// flow-control windows are open, and the provider pulls from the
// BodyStream only when its last pull was handed over — so a client that
// stops reading stops the producer. With nothing ready the provider
// answers NGHTTP2_ERR_DEFERRED; the BodyStream's wake-up (posted onto the
// strand) or its retry timer resumes it. GOAWAY (shutdown) ends the body.
#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <utility>

#include <boost/asio/post.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "net/http2_session.h"

namespace riffle::net::internal {

namespace asio = boost::asio;
namespace beast = boost::beast;
using Pull = protocol::BodyStream::State;

template <class Stream>
void Http2Session<Stream>::StartStreamedBody(int32_t stream_id, StreamState& state) {
  state.pending.clear();
  state.pending_offset = 0;
  state.deferred = false;
  state.body_ended = false;
  state.retry_timer = std::make_unique<asio::steady_timer>(stream_.get_executor());
  auto executor = stream_.get_executor();
  state.response.stream->Start([weak = this->weak_from_this(), executor, stream_id, seq = state.seq] {
    asio::post(executor, [weak, stream_id, seq] {
      if (auto self = weak.lock()) self->OnBodyWake(stream_id, seq);
    });
  });
}

template <class Stream>
ssize_t Http2Session<Stream>::ReadStreamedBody(int32_t stream_id, StreamState& state, uint8_t* buf, size_t length,
                                               bool* eof) {
  if (state.pending_offset == state.pending.size() && !state.body_ended) {
    state.pending.clear();
    state.pending_offset = 0;
    protocol::BodyStream::PullResult pulled{Pull::kEnd};
    if (!goaway_sent_ && !core_->stopping()) pulled = state.response.stream->Pull(state.pending);
    if (pulled.state == Pull::kEnd) state.body_ended = true;
    if (pulled.state == Pull::kWait && state.pending.empty()) {
      state.deferred = true;
      if (pulled.retry_after_ms >= 0) {
        state.retry_timer->expires_after(std::chrono::milliseconds(pulled.retry_after_ms));
        state.retry_timer->async_wait(
            [weak = this->weak_from_this(), stream_id, seq = state.seq](boost::beast::error_code ec) {
              if (ec) return;
              if (auto self = weak.lock()) self->OnBodyWake(stream_id, seq);
            });
      }
      return NGHTTP2_ERR_DEFERRED;
    }
  }
  size_t n = std::min(length, state.pending.size() - state.pending_offset);
  std::memcpy(buf, state.pending.data() + state.pending_offset, n);
  state.pending_offset += n;
  *eof = state.body_ended && state.pending_offset == state.pending.size();
  if (*eof) {
    state.response.stream->Cancel();
    state.retry_timer->cancel();
  }
  return static_cast<ssize_t>(n);
}

template <class Stream>
void Http2Session<Stream>::OnBodyWake(int32_t stream_id, uint64_t seq) {
  if (closed_) return;
  StreamState* state = FindStream(stream_id);
  if (state == nullptr || state->seq != seq || !state->deferred) return;
  state->deferred = false;
  state->retry_timer->cancel();
  nghttp2_session_resume_data(session_, stream_id);
  Flush();
}

template <class Stream>
void Http2Session<Stream>::WakeDeferredBodies() {
  for (auto& [id, state] : streams_) {
    if (!state.deferred) continue;
    state.deferred = false;
    state.retry_timer->cancel();
    nghttp2_session_resume_data(session_, id);
  }
}

#define RIFFLE_INSTANTIATE_H2_STREAMING(S)                                                                  \
  template void Http2Session<S>::StartStreamedBody(int32_t, StreamState&);                                  \
  template ssize_t Http2Session<S>::ReadStreamedBody(int32_t, StreamState&, uint8_t*, size_t, bool*);       \
  template void Http2Session<S>::OnBodyWake(int32_t, uint64_t);                                             \
  template void Http2Session<S>::WakeDeferredBodies();

RIFFLE_INSTANTIATE_H2_STREAMING(beast::tcp_stream)
RIFFLE_INSTANTIATE_H2_STREAMING(beast::ssl_stream<beast::tcp_stream>)
#undef RIFFLE_INSTANTIATE_H2_STREAMING

}  // namespace riffle::net::internal
