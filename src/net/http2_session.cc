#include "net/http2_session.h"

#include "base/buffer_cache.h"

#include <nghttp2/nghttp2.h>
#include <strings.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <ctime>
#include <exception>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <spdlog/spdlog.h>

namespace riffle::net::internal {

namespace asio = boost::asio;
namespace beast = boost::beast;
using beast::error_code;

namespace {

constexpr size_t kReadChunk = 64 * 1024;
constexpr size_t kMaxWriteBatch = 1024 * 1024;
// Flood protection (nghttp2 closes the session with GOAWAY when exceeded):
// queued PING/SETTINGS acknowledgements the client does not read, entries
// per SETTINGS frame, CONTINUATION frames per header block, and streams the
// client resets (token bucket: burst, then per second).
constexpr size_t kMaxOutboundAck = 1000;
constexpr size_t kMaxSettingsEntries = 32;
constexpr size_t kMaxContinuations = 8;
constexpr uint64_t kStreamResetBurst = 1000;
constexpr uint64_t kStreamResetRate = 33;
// Per-stream and per-connection receive windows: large PutRecords bodies
// arrive without waiting for a WINDOW_UPDATE every 64 KiB.
constexpr int32_t kStreamWindow = 4 * 1024 * 1024;
constexpr int32_t kConnectionWindow = 32 * 1024 * 1024;

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

// Hop-by-hop headers are not allowed in HTTP/2 (RFC 9113 8.2.2); the
// server owns content-length.
bool IsDroppedResponseHeader(std::string_view name) {
  return EqualsIgnoreCase(name, "content-length") || EqualsIgnoreCase(name, "connection") ||
         EqualsIgnoreCase(name, "transfer-encoding") || EqualsIgnoreCase(name, "keep-alive") ||
         EqualsIgnoreCase(name, "upgrade") || EqualsIgnoreCase(name, "proxy-connection");
}

std::string HttpDate() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char line[64];
  size_t n = std::strftime(line, sizeof(line), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return std::string(line, n);
}

template <class Stream>
Http2Session<Stream>* Self(void* user_data) {
  return static_cast<Http2Session<Stream>*>(user_data);
}

template <class Stream>
int OnBeginHeadersCb(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
  if (frame->hd.type == NGHTTP2_HEADERS && frame->headers.cat == NGHTTP2_HCAT_REQUEST) {
    Self<Stream>(user_data)->OnBeginRequest(frame->hd.stream_id);
  }
  return 0;
}

template <class Stream>
int OnHeaderCb(nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name, size_t namelen,
               const uint8_t* value, size_t valuelen, uint8_t, void* user_data) {
  if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
  Self<Stream>(user_data)->OnHeader(frame->hd.stream_id,
                                    {reinterpret_cast<const char*>(name), namelen},
                                    {reinterpret_cast<const char*>(value), valuelen});
  return 0;
}

template <class Stream>
int OnDataChunkCb(nghttp2_session*, uint8_t, int32_t stream_id, const uint8_t* data, size_t len,
                  void* user_data) {
  Self<Stream>(user_data)->OnData(stream_id, data, len);
  return 0;
}

template <class Stream>
int OnFrameRecvCb(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
  if ((frame->hd.type == NGHTTP2_HEADERS || frame->hd.type == NGHTTP2_DATA) &&
      (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0) {
    Self<Stream>(user_data)->OnRequestComplete(frame->hd.stream_id);
  }
  return 0;
}

template <class Stream>
int OnFrameRecvHeadersCb(nghttp2_session* session, const nghttp2_frame* frame, void* user_data) {
  if (frame->hd.type == NGHTTP2_HEADERS && frame->headers.cat == NGHTTP2_HCAT_REQUEST) {
    Self<Stream>(user_data)->OnHeadersComplete(frame->hd.stream_id);
  }
  return OnFrameRecvCb<Stream>(session, frame, user_data);
}

template <class Stream>
int OnStreamCloseCb(nghttp2_session*, int32_t stream_id, uint32_t, void* user_data) {
  Self<Stream>(user_data)->OnStreamClose(stream_id);
  return 0;
}

template <class Stream>
int OnFrameSendCb(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
  // Response headers and data are progress; PING and SETTINGS acknowledgements are not.
  if (frame->hd.type == NGHTTP2_HEADERS || frame->hd.type == NGHTTP2_DATA) Self<Stream>(user_data)->MarkActive();
  return 0;
}

template <class Stream>
ssize_t ReadBodyCb(nghttp2_session*, int32_t stream_id, uint8_t* buf, size_t length,
                   uint32_t* data_flags, nghttp2_data_source*, void* user_data) {
  bool eof = false;
  ssize_t n = Self<Stream>(user_data)->ReadBody(stream_id, buf, length, &eof);
  if (eof) *data_flags |= NGHTTP2_DATA_FLAG_EOF;
  return n;
}

}  // namespace

template <class Stream>
Http2Session<Stream>::Http2Session(ServerCore* core, Stream stream, std::string initial)
    : core_(core),
      stream_(std::move(stream)),
      initial_(std::move(initial)),
      idle_timer_(stream_.get_executor()) {
  nghttp2_session_callbacks* callbacks = nullptr;
  nghttp2_session_callbacks_new(&callbacks);
  nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, &OnBeginHeadersCb<Stream>);
  nghttp2_session_callbacks_set_on_header_callback(callbacks, &OnHeaderCb<Stream>);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, &OnDataChunkCb<Stream>);
  nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, &OnFrameRecvHeadersCb<Stream>);
  nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, &OnStreamCloseCb<Stream>);
  nghttp2_session_callbacks_set_on_frame_send_callback(callbacks, &OnFrameSendCb<Stream>);
  nghttp2_option* option = nullptr;
  nghttp2_option_new(&option);
  nghttp2_option_set_max_outbound_ack(option, kMaxOutboundAck);
  nghttp2_option_set_max_settings(option, kMaxSettingsEntries);
  nghttp2_option_set_max_continuations(option, kMaxContinuations);
  nghttp2_option_set_stream_reset_rate_limit(option, kStreamResetBurst, kStreamResetRate);
  nghttp2_session_server_new2(&session_, callbacks, this, option);
  nghttp2_option_del(option);
  nghttp2_session_callbacks_del(callbacks);
}

template <class Stream>
Http2Session<Stream>::~Http2Session() {
  if (session_ != nullptr) nghttp2_session_del(session_);
}

template <class Stream>
void Http2Session<Stream>::Start() {
  asio::post(stream_.get_executor(), [self = this->shared_from_this()] {
    if (self->closed_) return;
    const uint32_t max_header = static_cast<uint32_t>(
        std::min<size_t>(self->core_->options().max_header_bytes, UINT32_MAX));
    nghttp2_settings_entry settings[] = {
        {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, self->core_->options().http2_max_concurrent_streams},
        {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, static_cast<uint32_t>(kStreamWindow)},
        {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, max_header},
    };
    nghttp2_submit_settings(self->session_, NGHTTP2_FLAG_NONE, settings,
                            sizeof(settings) / sizeof(settings[0]));
    nghttp2_session_set_local_window_size(self->session_, NGHTTP2_FLAG_NONE, 0, kConnectionWindow);
    std::string initial = std::move(self->initial_);
    if (!initial.empty() &&
        !self->Receive(reinterpret_cast<const uint8_t*>(initial.data()), initial.size())) {
      return;
    }
    self->Flush();
    self->DoRead();
    // A new connection must complete its first request's header in time.
    self->last_active_ = std::chrono::steady_clock::now();
    self->ScheduleCheck(self->last_active_ + std::chrono::seconds(self->core_->options().header_timeout_seconds));
  });
}

template <class Stream>
void Http2Session<Stream>::Shutdown() {
  asio::post(stream_.get_executor(), [self = this->shared_from_this()] {
    if (!self->closed_) {
      self->SendGoaway();
      self->WakeDeferredBodies();  // streamed bodies end at shutdown
      self->Flush();
    }
    self->core_->ShutdownDone();
  });
}

template <class Stream>
void Http2Session<Stream>::ForceClose() {
  asio::post(stream_.get_executor(), [self = this->shared_from_this()] { self->Close(); });
}

template <class Stream>
typename Http2Session<Stream>::StreamState* Http2Session<Stream>::FindStream(int32_t stream_id) {
  auto it = streams_.find(stream_id);
  return it == streams_.end() ? nullptr : &it->second;
}

template <class Stream>
void Http2Session<Stream>::OnBeginRequest(int32_t stream_id) {
  StreamState& state = streams_[stream_id];
  MarkActive();
  state.deadline = last_active_ + std::chrono::seconds(core_->options().header_timeout_seconds);
  ScheduleCheck(state.deadline);
}

template <class Stream>
void Http2Session<Stream>::OnHeader(int32_t stream_id, std::string_view name,
                                    std::string_view value) {
  StreamState* state = FindStream(stream_id);
  if (state == nullptr) return;
  // The header list size (RFC 9113 6.5.2: names + values + 32 per field)
  // is bounded like an HTTP/1.1 header block; see OnHeadersComplete.
  state->header_bytes += name.size() + value.size() + 32;
  if (state->header_bytes > core_->options().max_header_bytes) return;
  HttpRequest& request = state->request;
  if (!name.empty() && name[0] == ':') {
    if (name == ":method") {
      request.method.assign(value);
    } else if (name == ":path") {
      request.target.assign(value);
    } else if (name == ":authority") {
      // SigV4 over h2 signs :authority; handlers see it as Host.
      request.authority.assign(value);
      request.headers.emplace(request.headers.begin(), "host", std::string(value));
    }
    return;
  }
  request.headers.emplace_back(std::string(name), std::string(value));
}

template <class Stream>
void Http2Session<Stream>::OnHeadersComplete(int32_t stream_id) {
  StreamState* state = FindStream(stream_id);
  if (state == nullptr) return;
  if (!state->headers_done) {
    // The body (until END_STREAM) has --idle-timeout, as on HTTP/1.1.
    state->headers_done = true;
    state->deadline = std::chrono::steady_clock::now() + std::chrono::seconds(core_->options().idle_timeout_seconds);
    ScheduleCheck(state->deadline);
  }
  if (state->rejected || state->header_bytes <= core_->options().max_header_bytes) return;
  state->rejected = true;
  state->request = HttpRequest{};
  state->response = HttpResponse{431, {{"content-type", "application/x-amz-json-1.1"}},
                                 R"({"message":"Request header fields too large"})"};
  SubmitResponse(stream_id, *state);
}

template <class Stream>
void Http2Session<Stream>::OnData(int32_t stream_id, const uint8_t* data, size_t size) {
  StreamState* state = FindStream(stream_id);
  if (state == nullptr || state->rejected) return;
  if (state->request.body.size() + size > core_->options().max_body_bytes) {
    state->rejected = true;
    state->request.body.clear();
    state->request.body.shrink_to_fit();
    state->response = HttpResponse{413, {{"content-type", "application/x-amz-json-1.1"}},
                                   R"({"message":"Request entity too large"})"};
    SubmitResponse(stream_id, *state);
    return;
  }
  state->request.body.append(reinterpret_cast<const char*>(data), size);
}

template <class Stream>
void Http2Session<Stream>::OnRequestComplete(int32_t stream_id) {
  StreamState* state = FindStream(stream_id);
  if (state == nullptr || state->rejected || state->in_flight) return;
  Dispatch(stream_id, *state);
}

template <class Stream>
void Http2Session<Stream>::Dispatch(int32_t stream_id, StreamState& state) {
  state.in_flight = true;
  state.deadline = std::chrono::steady_clock::time_point::max();
  served_ = true;
  MarkActive();
  state.seq = ++next_seq_;
  core_->BeginRequest();
  // Holds the ServerCore (keeps the io_context alive for the post) but only
  // a weak reference to the session.
  ResponseSender send = [core = core_->shared_from_this(), weak = this->weak_from_this(), stream_id,
                         seq = state.seq](HttpResponse response) {
    auto self = weak.lock();
    if (!self) return;
    auto executor = self->stream_.get_executor();
    asio::post(executor, [self = std::move(self), stream_id, seq,
                          response = std::move(response)]() mutable {
      self->OnResponse(stream_id, seq, std::move(response));
    });
  };
  state.request.tls = !std::is_same_v<Stream, beast::tcp_stream>;
  try {
    core_->handler().Handle(std::move(state.request), std::move(send));
  } catch (const std::exception& e) {
    spdlog::error("http2: request handler threw: {}", e.what());
    OnResponse(stream_id, state.seq, HttpResponse{500, {}, R"({"message":"Internal server error"})"});
  } catch (...) {
    spdlog::error("http2: request handler threw a non-std exception");
    OnResponse(stream_id, state.seq, HttpResponse{500, {}, R"({"message":"Internal server error"})"});
  }
}

template <class Stream>
void Http2Session<Stream>::OnResponse(int32_t stream_id, uint64_t seq, HttpResponse response) {
  if (closed_) return;
  StreamState* state = FindStream(stream_id);
  // Drops duplicates and responses for streams the client reset meanwhile.
  if (state == nullptr || state->seq != seq || !state->in_flight || state->rejected) return;
  state->rejected = true;  // answered: a second response is ignored
  state->response = std::move(response);
  SubmitResponse(stream_id, *state);
  Flush();
}

template <class Stream>
void Http2Session<Stream>::SubmitResponse(int32_t stream_id, StreamState& state) {
  const HttpResponse& response = state.response;
  std::vector<std::string> names;
  names.reserve(response.headers.size());
  std::vector<nghttp2_nv> nva;
  nva.reserve(response.headers.size() + 3);
  auto add = [&nva](std::string_view name, std::string_view value) {
    nva.push_back(nghttp2_nv{reinterpret_cast<uint8_t*>(const_cast<char*>(name.data())),
                             reinterpret_cast<uint8_t*>(const_cast<char*>(value.data())),
                             name.size(), value.size(), NGHTTP2_NV_FLAG_NONE});
  };
  const std::string status = std::to_string(response.status);
  const std::string length = std::to_string(response.body.size());
  const std::string date = HttpDate();
  add(":status", status);
  bool has_date = false;
  for (const auto& [name, value] : response.headers) {
    if (IsDroppedResponseHeader(name)) continue;
    std::string lower(name);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower == "date") has_date = true;
    names.push_back(std::move(lower));
  }
  size_t i = 0;
  for (const auto& [name, value] : response.headers) {
    if (IsDroppedResponseHeader(name)) continue;
    add(names[i++], value);
  }
  if (!has_date) add("date", date);
  if (!response.stream) add("content-length", length);
  state.body_offset = 0;
  if (response.stream) StartStreamedBody(stream_id, state);
  nghttp2_data_provider provider{};
  provider.read_callback = &ReadBodyCb<Stream>;
  // nghttp2 copies the header block; the body is pulled by ReadBody.
  int rv = nghttp2_submit_response(session_, stream_id, nva.data(), nva.size(),
                                   response.body.empty() && !response.stream ? nullptr : &provider);
  if (rv != 0) spdlog::warn("http2: cannot submit response: {}", nghttp2_strerror(rv));
}

template <class Stream>
ssize_t Http2Session<Stream>::ReadBody(int32_t stream_id, uint8_t* buf, size_t length, bool* eof) {
  StreamState* state = FindStream(stream_id);
  if (state == nullptr) {
    *eof = true;
    return 0;
  }
  if (state->response.stream) return ReadStreamedBody(stream_id, *state, buf, length, eof);
  const std::string& body = state->response.body;
  size_t n = std::min(length, body.size() - state->body_offset);
  std::memcpy(buf, body.data() + state->body_offset, n);
  state->body_offset += n;
  *eof = state->body_offset == body.size();
  return static_cast<ssize_t>(n);
}

template <class Stream>
void Http2Session<Stream>::OnStreamClose(int32_t stream_id) {
  auto it = streams_.find(stream_id);
  if (it == streams_.end()) return;
  if (it->second.response.stream) it->second.response.stream->Cancel();
  // A response's last frame was only serialized yet: the request counts as
  // in flight until the write holding it completed (see ReleaseEnded).
  if (it->second.in_flight) ++ended_unwritten_;
  BufferCache::Global().Give(std::move(it->second.response.body));  // a large body serves the next one
  streams_.erase(it);
  MarkActive();
}

template <class Stream>
void Http2Session<Stream>::ReleaseEnded() {
  for (; ended_unwritten_ > 0; --ended_unwritten_) core_->EndRequest();
}

template <class Stream>
void Http2Session<Stream>::DoRead() {
  if (reading_ || closed_) return;
  reading_ = true;
  read_buffer_.resize(kReadChunk);
  stream_.async_read_some(asio::buffer(read_buffer_),
                          beast::bind_front_handler(&Http2Session<Stream>::OnRead, this->shared_from_this()));
}

template <class Stream>
void Http2Session<Stream>::OnRead(error_code ec, size_t bytes) {
  reading_ = false;
  if (closed_) return;
  if (ec) return Close();  // the peer went away (or reset)
  if (!Receive(reinterpret_cast<const uint8_t*>(read_buffer_.data()), bytes)) return;
  Flush();
  if (!closed_ && nghttp2_session_want_read(session_)) DoRead();
}

template <class Stream>
bool Http2Session<Stream>::Receive(const uint8_t* data, size_t size) {
  ssize_t rv = nghttp2_session_mem_recv(session_, data, size);
  if (rv < 0) {
    spdlog::debug("http2: closing connection: {}", nghttp2_strerror(static_cast<int>(rv)));
    Terminate(NGHTTP2_PROTOCOL_ERROR);
    return false;
  }
  return true;
}

template <class Stream>
void Http2Session<Stream>::Flush() {
  if (writing_ || closed_) return;
  write_buffer_.clear();
  while (write_buffer_.size() < kMaxWriteBatch) {
    const uint8_t* data = nullptr;
    ssize_t n = nghttp2_session_mem_send(session_, &data);
    if (n < 0) {
      spdlog::debug("http2: send failed: {}", nghttp2_strerror(static_cast<int>(n)));
      return Close();
    }
    if (n == 0) break;
    write_buffer_.append(reinterpret_cast<const char*>(data), static_cast<size_t>(n));
  }
  if (write_buffer_.empty()) {
    ReleaseEnded();
    const bool done = (goaway_sent_ && streams_.empty()) ||
                      (!nghttp2_session_want_read(session_) && !nghttp2_session_want_write(session_));
    if (done) Close();
    return;
  }
  writing_ = true;
  asio::async_write(stream_, asio::buffer(write_buffer_),
                    beast::bind_front_handler(&Http2Session<Stream>::OnWritten, this->shared_from_this()));
}

template <class Stream>
void Http2Session<Stream>::OnWritten(error_code ec, size_t) {
  writing_ = false;
  if (closed_) return;
  if (ec) return Close();
  ReleaseEnded();
  Flush();
  // A stream's data may have been blocked on the window while the read loop
  // stopped; make sure a read is pending whenever nghttp2 wants one.
  if (!closed_ && nghttp2_session_want_read(session_)) DoRead();
}

template <class Stream>
void Http2Session<Stream>::SendGoaway() {
  if (goaway_sent_) return;
  goaway_sent_ = true;
  nghttp2_submit_goaway(session_, NGHTTP2_FLAG_NONE, nghttp2_session_get_last_proc_stream_id(session_),
                        NGHTTP2_NO_ERROR, nullptr, 0);
}

template <class Stream>
void Http2Session<Stream>::Close() {
  if (closed_) return;
  closed_ = true;
  for (auto& [id, state] : streams_) {
    if (state.in_flight) core_->EndRequest();  // a late response is dropped
    if (state.response.stream) state.response.stream->Cancel();
  }
  streams_.clear();
  ReleaseEnded();
  idle_timer_.cancel();
  error_code ignored;
  auto& tcp = beast::get_lowest_layer(stream_);
  tcp.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  tcp.close();
  core_->Unregister(this);
}

template class Http2Session<beast::tcp_stream>;
template class Http2Session<beast::ssl_stream<beast::tcp_stream>>;

}  // namespace riffle::net::internal
