// PeerReports: the reports nodes of a cluster send one another over the
// store's usage channel (store::Store::ShareUsage), told apart by their first
// byte: 0x01 a rate-limit usage report (core/usage_report.h, Admission),
// 0x02 a traffic report (TrafficMeter, the console's rates). A kind nobody
// listens for is dropped, so a node ignores what a newer node adds.
//
// Listen() for every kind first, then Start(); from then on until
// destruction each report of another node is passed to its kind's receiver
// on a store thread (it must not block). On a store no other node shares,
// Start() does nothing and Send() drops. Declare it after its receivers:
// destruction stops deliveries (waiting for one running) before they go.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "store/store.h"

namespace riffle::handlers {

class PeerReports {
 public:
  using Receiver = std::function<void(std::string_view report)>;

  // `store` must outlive this.
  explicit PeerReports(store::Store& store) : store_(store), shared_(store.Shared()) {}
  ~PeerReports();
  PeerReports(const PeerReports&) = delete;
  PeerReports& operator=(const PeerReports&) = delete;

  // Whether other nodes share the store (reports go anywhere).
  bool shared() const { return shared_; }
  void Listen(uint8_t kind, Receiver receiver);
  void Start();
  // `report` starts with its kind. Best effort, never blocks.
  void Send(std::string report);

 private:
  void Deliver(std::string_view report) const;

  store::Store& store_;
  const bool shared_;
  bool started_ = false;
  std::array<Receiver, 256> receivers_{};
};

}  // namespace riffle::handlers
