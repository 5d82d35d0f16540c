#include "client/client_core.h"

#include <future>

namespace riffle::kinesis::internal {

namespace asio = boost::asio;

namespace {

thread_local const ClientCore* current_core = nullptr;  // the core whose I/O thread this is

constexpr std::string_view kUserAgent = "riffle-kinesis/" RIFFLE_KINESIS_VERSION_TEXT;

}  // namespace

Result<std::unique_ptr<ClientCore>> ClientCore::Create(const ClientOptions& options, const Getenv& getenv) {
  auto settings = ResolveSettings(options, getenv);
  if (!settings.ok()) return settings.error();
  std::shared_ptr<asio::ssl::context> tls;
  if (settings->endpoint.tls) {
    auto context = MakeTlsContext(settings->ca_file, options.verify_tls);
    if (!context.ok()) return context.error();
    tls = std::move(context.value());
  }
  return std::unique_ptr<ClientCore>(new ClientCore(options, std::move(settings.value()), std::move(tls)));
}

ClientCore::ClientCore(ClientOptions options, Settings settings, std::shared_ptr<asio::ssl::context> tls)
    : options_(std::move(options)),
      settings_(std::move(settings)),
      signer_(settings_.credentials, settings_.region, "kinesis"),
      tls_(std::move(tls)),
      retry_(options_.retry, settings_.max_attempts),
      io_(std::max(1, options_.io_threads)),
      work_(asio::make_work_guard(io_)) {
  pool_ = std::make_unique<ConnectionPool>(io_, settings_.endpoint, tls_.get(), options_.max_connections,
                                           ConnectionTimeouts{options_.connect_timeout, options_.request_timeout});
  for (int i = 0; i < std::max(1, options_.io_threads); ++i) {
    threads_.emplace_back([this] {
      current_core = this;
      io_.run();
    });
  }
}

ClientCore::~ClientCore() {
  closing_ = true;
  pool_->Close();
  std::vector<std::pair<size_t, std::function<void()>>> closers;
  {
    std::lock_guard lock(mutex_);
    closers = closers_;
  }
  for (auto& [token, close] : closers) close();
  {
    std::unique_lock lock(mutex_);
    idle_.wait(lock, [this] { return work_in_flight_ == 0; });
  }
  work_.reset();
  io_.stop();
  for (auto& t : threads_) t.join();
}

bool ClientCore::OnIoThread() const { return current_core == this; }

bool ClientCore::BeginWork() {
  std::lock_guard lock(mutex_);
  if (closing_) return false;
  ++work_in_flight_;
  return true;
}

void ClientCore::EndWork() {
  std::lock_guard lock(mutex_);
  if (--work_in_flight_ == 0) idle_.notify_all();
}

size_t ClientCore::AddCloser(std::function<void()> closer) {
  std::lock_guard lock(mutex_);
  size_t token = next_closer_++;
  closers_.emplace_back(token, std::move(closer));
  return token;
}

void ClientCore::RemoveCloser(size_t token) {
  std::lock_guard lock(mutex_);
  std::erase_if(closers_, [token](const auto& entry) { return entry.first == token; });
}

std::vector<std::pair<std::string, std::string>> ClientCore::SignedHeaders(std::string_view operation,
                                                                           std::string_view payload_sha256_hex) const {
  std::string target = "Kinesis_20131202." + std::string(operation);
  std::string_view date = AmzDateNow();
  const std::string& token = settings_.credentials.session_token;
  SignableRequest signable;
  signable.path = settings_.endpoint.path;
  signable.headers = {{"content-type", "application/x-amz-json-1.1"},
                      {"host", settings_.endpoint.authority},
                      {"x-amz-date", date},
                      {"x-amz-target", target}};
  if (!token.empty()) signable.headers.emplace_back("x-amz-security-token", token);
  signable.payload_sha256_hex = payload_sha256_hex;
  std::string authorization = signer_.Authorization(signable, date);
  std::vector<std::pair<std::string, std::string>> out = {
      {"Content-Type", "application/x-amz-json-1.1"},
      {"X-Amz-Target", std::move(target)},
      {"X-Amz-Date", std::string(date)},
      {"Authorization", std::move(authorization)},
      {"User-Agent", std::string(kUserAgent)},
  };
  if (!token.empty()) out.emplace_back("X-Amz-Security-Token", token);
  return out;
}

Result<RawResponse> ClientCore::CallSync(std::string_view operation, std::string body, std::string payload_sha256_hex) {
  if (OnIoThread()) {
    return Error(ErrorCode::kInvalidRequest,
                 "a blocking call on the client's own I/O thread (from a callback) would deadlock; use the Async form");
  }
  std::promise<Result<RawResponse>> promise;
  auto future = promise.get_future();
  CallAsync(operation, std::move(body), std::move(payload_sha256_hex),
            [&promise](Result<RawResponse> result) { promise.set_value(std::move(result)); });
  return future.get();
}

}  // namespace riffle::kinesis::internal
