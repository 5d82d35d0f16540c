// Client: creation, the raw calls, and what the generated per-operation
// methods (client_operations.cc) share.
#include <cstdlib>

#include "client/client_core.h"
#include "riffle/kinesis/client.h"

namespace riffle::kinesis {

Result<std::shared_ptr<Client>> Client::Create(ClientOptions options) {
  auto core = internal::ClientCore::Create(options, [](const char* name) { return std::getenv(name); });
  if (!core.ok()) return core.error();
  return std::shared_ptr<Client>(new Client(std::move(core.value())));
}

Client::Client(std::unique_ptr<internal::ClientCore> core) : core_(std::move(core)) {}

Client::~Client() = default;

const std::string& Client::endpoint() const { return core_->settings().endpoint.url; }

const std::string& Client::region() const { return core_->settings().region; }

std::string_view Client::Version() { return RIFFLE_KINESIS_VERSION_TEXT; }

Result<RawResponse> Client::Send(std::string_view operation, std::string body, std::string payload_sha256_hex) {
  return core_->CallSync(operation, std::move(body), std::move(payload_sha256_hex));
}

void Client::SendAsync(std::string_view operation, std::string body, Callback<RawResponse> done,
                       std::string payload_sha256_hex) {
  core_->CallAsync(operation, std::move(body), std::move(payload_sha256_hex), std::move(done));
}

void Client::SendAsync(std::string_view operation, std::shared_ptr<const std::string> body, Callback<RawResponse> done,
                       std::string payload_sha256_hex) {
  core_->CallAsync(operation, std::move(body), std::move(payload_sha256_hex), std::move(done));
}

}  // namespace riffle::kinesis
