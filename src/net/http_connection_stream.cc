// Connection (http_connection.h): streamed response bodies over HTTP/1.1.
//
// The head goes out with Transfer-Encoding: chunked (HTTP/1.0: no framing,
// the connection closes at the end). Then each pull from the BodyStream
// becomes one chunk; the next pull happens only after that chunk was
// written, so a reader that stops reading stalls the producer through TCP
// backpressure instead of growing a buffer. While the stream has nothing
// to send, the connection waits for its wake-up (posted onto the strand)
// or its retry timer. Shutdown ends the body with the last chunk.
#include <chrono>
#include <cstdio>
#include <utility>

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "net/http_connection.h"

namespace riffle::net::internal {

namespace asio = boost::asio;
namespace beast = boost::beast;
using beast::error_code;
using Pull = protocol::BodyStream::State;

template <class Stream>
void Connection<Stream>::StartStreamedBody() {
  body_stream_ = std::move(response_.stream);
  if (!stream_timer_) stream_timer_.emplace(stream_.get_executor());
  stream_waiting_ = false;
  stream_last_ = false;
  auto executor = stream_.get_executor();
  body_stream_->Start([weak = this->weak_from_this(), executor] {
    asio::post(executor, [weak] {
      if (auto self = weak.lock()) self->OnStreamWake();
    });
  });
  ArmTimer(core_->options().idle_timeout_seconds);
  asio::async_write(stream_, asio::buffer(head_),
                    beast::bind_front_handler(&Connection<Stream>::OnStreamWritten, this->shared_from_this()));
}

template <class Stream>
void Connection<Stream>::OnStreamWritten(error_code ec, std::size_t) {
  if (ec || closed_) return Close();
  beast::get_lowest_layer(stream_).expires_never();
  if (stream_last_) return FinishStreamedBody();
  PumpStream();
}

template <class Stream>
void Connection<Stream>::PumpStream() {
  if (closed_ || !body_stream_) return;
  std::string chunk;
  protocol::BodyStream::PullResult pulled{Pull::kEnd};
  if (!shutdown_ && !core_->stopping()) pulled = body_stream_->Pull(chunk);
  if (pulled.state == Pull::kWait && chunk.empty()) {
    stream_waiting_ = true;
    if (pulled.retry_after_ms >= 0) {
      stream_timer_->expires_after(std::chrono::milliseconds(pulled.retry_after_ms));
      stream_timer_->async_wait([weak = this->weak_from_this()](error_code ec) {
        if (ec) return;
        if (auto self = weak.lock()) self->OnStreamWake();
      });
    }
    return;
  }
  stream_last_ = pulled.state == Pull::kEnd;
  stream_frame_.clear();
  if (version_ >= 11) {
    if (!chunk.empty()) {
      char size[24];
      int n = std::snprintf(size, sizeof(size), "%zx\r\n", chunk.size());
      stream_frame_.append(size, static_cast<size_t>(n));
      stream_frame_.append(chunk);
      stream_frame_.append("\r\n");
    }
    if (stream_last_) stream_frame_.append("0\r\n\r\n");
  } else {
    stream_frame_ = std::move(chunk);
  }
  if (stream_frame_.empty()) {
    if (stream_last_) return FinishStreamedBody();
    return PumpStream();  // kData always carries bytes; defensive
  }
  ArmTimer(core_->options().idle_timeout_seconds);
  asio::async_write(stream_, asio::buffer(stream_frame_),
                    beast::bind_front_handler(&Connection<Stream>::OnStreamWritten, this->shared_from_this()));
}

template <class Stream>
void Connection<Stream>::OnStreamWake() {
  if (closed_ || !stream_waiting_) return;
  stream_waiting_ = false;
  stream_timer_->cancel();
  PumpStream();
}

template <class Stream>
void Connection<Stream>::FinishStreamedBody() {
  if (body_stream_) body_stream_->Cancel();
  body_stream_.reset();
  stream_frame_.clear();
  stream_frame_.shrink_to_fit();
  if (stream_timer_) stream_timer_->cancel();
  OnWrite(error_code{}, 0);  // the response is complete: keep-alive or close
}

#define RIFFLE_INSTANTIATE_STREAMING(S)                                   \
  template void Connection<S>::StartStreamedBody();                       \
  template void Connection<S>::PumpStream();                              \
  template void Connection<S>::OnStreamWritten(error_code, std::size_t); \
  template void Connection<S>::OnStreamWake();                            \
  template void Connection<S>::FinishStreamedBody();

RIFFLE_INSTANTIATE_STREAMING(beast::tcp_stream)
RIFFLE_INSTANTIATE_STREAMING(beast::ssl_stream<beast::tcp_stream>)
#undef RIFFLE_INSTANTIATE_STREAMING

}  // namespace riffle::net::internal
