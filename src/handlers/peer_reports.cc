#include "handlers/peer_reports.h"

#include <utility>

namespace riffle::handlers {

PeerReports::~PeerReports() {
  if (started_) store_.SetUsageObserver(nullptr);
}

void PeerReports::Listen(uint8_t kind, Receiver receiver) { receivers_[kind] = std::move(receiver); }

void PeerReports::Start() {
  if (!shared_ || started_) return;
  started_ = true;
  store_.SetUsageObserver([this](std::string_view report) { Deliver(report); });
}

void PeerReports::Send(std::string report) {
  if (shared_ && !report.empty()) store_.ShareUsage(std::move(report));
}

void PeerReports::Deliver(std::string_view report) const {
  if (report.empty()) return;
  const Receiver& receiver = receivers_[static_cast<uint8_t>(report.front())];
  if (receiver) receiver(report);
}

}  // namespace riffle::handlers
