#include "client/h2_subscription.h"

#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <cctype>

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include "client/client_codec.h"
#include "client/client_core.h"
#include "client/service_error.h"

namespace riffle::kinesis::internal {

namespace asio = boost::asio;

namespace {

constexpr size_t kReadBufferBytes = 64 * 1024;
constexpr int32_t kStreamWindow = 4 << 20;        // per stream: ~4 MiB of events in flight
constexpr int32_t kConnectionWindow = 16 << 20;
constexpr size_t kMaxErrorBody = 64 * 1024;

H2Subscription* Self(void* user_data) { return static_cast<H2Subscription*>(user_data); }

int OnHeaderCb(nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name, size_t name_length,
               const uint8_t* value, size_t value_length, uint8_t, void* user_data) {
  Self(user_data)->OnHeader(frame->hd.stream_id,
                            std::string_view(reinterpret_cast<const char*>(name), name_length),
                            std::string_view(reinterpret_cast<const char*>(value), value_length));
  return 0;
}

int OnDataChunkCb(nghttp2_session*, uint8_t, int32_t stream_id, const uint8_t* data, size_t length,
                  void* user_data) {
  Self(user_data)->OnData(stream_id, std::string_view(reinterpret_cast<const char*>(data), length));
  return 0;
}

int OnStreamCloseCb(nghttp2_session*, int32_t stream_id, uint32_t error_code, void* user_data) {
  Self(user_data)->OnStreamClose(stream_id, error_code);
  return 0;
}

ssize_t ReadBodyCb(nghttp2_session*, int32_t, uint8_t* buf, size_t length, uint32_t* data_flags,
                   nghttp2_data_source*, void* user_data) {
  bool eof = false;
  size_t n = Self(user_data)->ReadBody(buf, length, &eof);
  if (eof) *data_flags |= NGHTTP2_DATA_FLAG_EOF;
  return static_cast<ssize_t>(n);
}

nghttp2_nv Header(const std::string& name, const std::string& value) {
  return nghttp2_nv{reinterpret_cast<uint8_t*>(const_cast<char*>(name.data())),
                    reinterpret_cast<uint8_t*>(const_cast<char*>(value.data())), name.size(), value.size(),
                    NGHTTP2_NV_FLAG_NONE};
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string JsonMessage(std::string_view payload) {
  Error e = ServiceError(200, payload, "", "");
  return e.message();
}

}  // namespace

H2Subscription::H2Subscription(ClientCore& core, SubscriptionHandlers handlers)
    : core_(core),
      handlers_(std::move(handlers)),
      pull_(!handlers_.on_event),
      strand_(asio::make_strand(core.io())),
      stream_(strand_, core.tls()),
      timer_(strand_),
      read_buffer_(kReadBufferBytes) {}

H2Subscription::~H2Subscription() {
  if (session_) nghttp2_session_del(session_);
}

std::optional<Error> H2Subscription::Start(std::string body) {
  if (!core_.BeginWork()) return Error(ErrorCode::kCancelled, "client closed");
  body_ = std::move(body);
  closer_ = core_.AddCloser([self = shared_from_this()] { self->Close(); });
  asio::post(strand_, [self = shared_from_this()] {
    const auto& endpoint = self->core_.settings().endpoint;
    self->timer_.expires_after(self->core_.options().connect_timeout);
    self->timer_.async_wait([self](const boost::system::error_code& ec) {
      if (ec) return;
      self->timed_out_ = true;
      self->stream_.Close();
    });
    self->stream_.AsyncConnect(endpoint, self->stream_.tls() ? std::string("\x02h2", 3) : std::string(),
                               [self](std::optional<Error> error) { self->Connected(std::move(error)); });
  });
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return accepted_.has_value(); });
  return *accepted_;
}

void H2Subscription::Connected(std::optional<Error> error) {
  timer_.cancel();
  if (error) {
    if (timed_out_) error = Error(ErrorCode::kTimeout, "connecting took longer than the connect timeout");
    End(std::move(*error));
    return;
  }
  if (stream_.tls() && stream_.SelectedAlpn() != "h2") {
    End(Error(ErrorCode::kNetworkError, "the server did not agree to HTTP/2 (ALPN h2), which SubscribeToShard needs"));
    return;
  }
  nghttp2_session_callbacks* callbacks = nullptr;
  nghttp2_session_callbacks_new(&callbacks);
  nghttp2_session_callbacks_set_on_header_callback(callbacks, &OnHeaderCb);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, &OnDataChunkCb);
  nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, &OnStreamCloseCb);
  nghttp2_session_client_new(&session_, callbacks, this);
  nghttp2_session_callbacks_del(callbacks);

  nghttp2_settings_entry settings[] = {{NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
                                       {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, kStreamWindow}};
  nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings, 2);
  nghttp2_session_set_local_window_size(session_, NGHTTP2_FLAG_NONE, 0, kConnectionWindow);

  const Endpoint& endpoint = core_.settings().endpoint;
  std::vector<std::pair<std::string, std::string>> fields = {
      {":method", "POST"},
      {":scheme", endpoint.tls ? "https" : "http"},
      {":authority", endpoint.authority},
      {":path", endpoint.path},
  };
  for (auto& [name, value] : core_.SignedHeaders("SubscribeToShard", Sha256Hex(body_))) {
    fields.emplace_back(Lower(name), value);
  }
  fields.emplace_back("content-length", std::to_string(body_.size()));
  std::vector<nghttp2_nv> nva;
  for (const auto& [name, value] : fields) nva.push_back(Header(name, value));
  nghttp2_data_provider provider{};
  provider.read_callback = &ReadBodyCb;
  stream_id_ = nghttp2_submit_request(session_, nullptr, nva.data(), nva.size(), &provider, nullptr);
  if (stream_id_ < 0) {
    End(Error(ErrorCode::kInvalidRequest, std::string("HTTP/2 request: ") + nghttp2_strerror(stream_id_)));
    return;
  }
  Flush();
  Read();
}

size_t H2Subscription::ReadBody(uint8_t* out, size_t length, bool* eof) {
  size_t n = std::min(length, body_.size() - body_sent_);
  std::copy_n(body_.data() + body_sent_, n, out);
  body_sent_ += n;
  *eof = body_sent_ == body_.size();
  return n;
}

void H2Subscription::Flush() {
  if (writing_ || ended_ || !session_) return;
  auto out = std::make_shared<std::string>();
  for (;;) {
    const uint8_t* data = nullptr;
    ssize_t n = nghttp2_session_mem_send(session_, &data);
    if (n < 0) {
      End(Error(ErrorCode::kNetworkError, std::string("HTTP/2: ") + nghttp2_strerror(static_cast<int>(n))));
      return;
    }
    if (n == 0) break;
    out->append(reinterpret_cast<const char*>(data), static_cast<size_t>(n));
  }
  if (out->empty()) return;
  writing_ = true;
  asio::async_write(stream_, asio::buffer(*out),
                    [self = shared_from_this(), out](const boost::system::error_code& ec, size_t) {
                      self->writing_ = false;
                      if (ec) {
                        if (!self->ended_) {
                          self->End(Error(ErrorCode::kNetworkError, "SubscribeToShard connection: " + ec.message()));
                        }
                        return;
                      }
                      self->Flush();
                    });
}

void H2Subscription::Read() {
  if (reading_ || paused_ || ended_) return;
  reading_ = true;
  // Until accepted: the request timeout; after: at most that long between
  // any two reads (the service sends an event at least every 5 s).
  timer_.expires_after(core_.options().request_timeout);
  timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (ec || self->ended_) return;
    self->timed_out_ = true;
    self->stream_.Close();
  });
  stream_.async_read_some(asio::buffer(read_buffer_), [self = shared_from_this()](
                                                          const boost::system::error_code& ec, size_t n) {
    self->reading_ = false;
    self->timer_.cancel();
    if (self->ended_) return;
    if (ec) {
      if (self->timed_out_) {
        self->End(Error(ErrorCode::kTimeout, "SubscribeToShard: nothing received within the request timeout"));
      } else {
        self->End(Error(ErrorCode::kNetworkError, "SubscribeToShard connection: " + ec.message()));
      }
      return;
    }
    ssize_t rv = nghttp2_session_mem_recv(self->session_, self->read_buffer_.data(), n);
    if (self->ended_) return;
    if (rv < 0) {
      self->End(Error(ErrorCode::kInvalidResponse, std::string("HTTP/2: ") + nghttp2_strerror(static_cast<int>(rv))));
      return;
    }
    self->Flush();
    self->Read();
  });
}

void H2Subscription::Resume() {
  if (!paused_ || ended_) return;
  {
    std::lock_guard lock(mutex_);
    if (queue_.size() >= kMaxQueuedEvents) return;
  }
  paused_ = false;
  Read();
}

void H2Subscription::OnHeader(int32_t stream_id, std::string_view name, std::string_view value) {
  if (stream_id != stream_id_) return;
  if (name == ":status") {
    status_ = 0;
    for (char c : value) status_ = status_ * 10 + (c - '0');
  } else if (name == "x-amzn-requestid") {
    request_id_ = std::string(value);
  }
}

void H2Subscription::OnData(int32_t stream_id, std::string_view data) {
  if (stream_id != stream_id_ || ended_) return;
  if (status_ != 200) {
    if (error_body_.size() < kMaxErrorBody) error_body_.append(data.substr(0, kMaxErrorBody - error_body_.size()));
    return;
  }
  decoder_.Append(data);
  EventMessage message;
  while (!ended_) {
    auto next = decoder_.Next(message);
    if (!next.ok()) {
      End(Error(ErrorCode::kInvalidResponse, "SubscribeToShard event stream: " + next.status().message()));
      return;
    }
    if (!*next) break;
    HandleMessage(message);
  }
}

void H2Subscription::HandleMessage(EventMessage& message) {
  std::string_view kind = message.Header(":message-type");
  if (kind == "event") {
    std::string_view type = message.Header(":event-type");
    if (type == "initial-response") {
      Accept(std::nullopt);
    } else if (type == "SubscribeToShardEvent") {
      SubscribeToShardEvent event;
      if (auto error = codec::DecodeJson(message.payload, event)) {
        End(Error(ErrorCode::kInvalidResponse, "SubscribeToShardEvent: " + *error));
        return;
      }
      Accept(std::nullopt);
      Deliver(std::move(event));
    }
    return;  // other event types: not ours
  }
  if (kind == "exception") {
    End(Error::FromService(200, std::string(message.Header(":exception-type")), JsonMessage(message.payload),
                           request_id_));
    return;
  }
  if (kind == "error") {
    End(Error::FromService(200, std::string(message.Header(":error-code")),
                           std::string(message.Header(":error-message")), request_id_));
    return;
  }
  End(Error(ErrorCode::kInvalidResponse, "event stream message of type \"" + std::string(kind) + "\""));
}

void H2Subscription::OnStreamClose(int32_t stream_id, uint32_t error_code) {
  if (stream_id != stream_id_ || ended_) return;
  if (status_ != 200) {
    End(ServiceError(status_, error_body_, "", request_id_));
  } else if (error_code != NGHTTP2_NO_ERROR) {
    End(Error(ErrorCode::kNetworkError, std::string("SubscribeToShard stream reset: ") +
                                            nghttp2_http2_strerror(error_code)));
  } else if (decoder_.buffered() > 0) {
    End(Error(ErrorCode::kInvalidResponse, "SubscribeToShard event stream ended inside a message"));
  } else {
    End(Empty{});
  }
}

void H2Subscription::Accept(std::optional<Error> error) {
  std::lock_guard lock(mutex_);
  if (accepted_) return;
  accepted_ = std::move(error);
  changed_.notify_all();
}

void H2Subscription::Deliver(SubscribeToShardEvent event) {
  if (!pull_) {
    handlers_.on_event(std::move(event));
    return;
  }
  std::lock_guard lock(mutex_);
  queue_.push_back(std::move(event));
  if (queue_.size() >= kMaxQueuedEvents) paused_ = true;
  changed_.notify_all();
}

void H2Subscription::End(Result<Empty> end) {
  if (ended_) return;
  ended_ = true;
  timer_.cancel();
  stream_.Close();
  bool was_accepted;
  {
    std::lock_guard lock(mutex_);
    was_accepted = accepted_.has_value() && !accepted_->has_value();
  }
  if (!was_accepted) {
    Accept(end.ok() ? Error(ErrorCode::kInvalidResponse, "SubscribeToShard ended before its initial-response")
                    : end.error());
  } else if (!pull_) {
    if (handlers_.on_end) handlers_.on_end(std::move(end));
  }
  {
    std::lock_guard lock(mutex_);
    if (was_accepted && pull_) end_ = std::move(end);
    end_delivered_ = true;
    changed_.notify_all();
  }
  if (closer_) core_.RemoveCloser(*closer_);
  core_.EndWork();
}

void H2Subscription::Close() {
  asio::post(strand_, [self = shared_from_this()] {
    self->End(Error(ErrorCode::kCancelled, "subscription closed"));
  });
}

Result<std::optional<SubscribeToShardEvent>> H2Subscription::Next() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return !queue_.empty() || end_.has_value() || end_delivered_; });
  if (!queue_.empty()) {
    SubscribeToShardEvent event = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    asio::post(strand_, [self = shared_from_this()] { self->Resume(); });
    return std::optional<SubscribeToShardEvent>(std::move(event));
  }
  if (!end_) return Error(ErrorCode::kInvalidRequest, "Next() on a subscription with handlers");
  if (end_->ok()) return std::optional<SubscribeToShardEvent>();
  return end_->error();
}

void H2Subscription::WaitEnded() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return end_delivered_; });
}

}  // namespace riffle::kinesis::internal
