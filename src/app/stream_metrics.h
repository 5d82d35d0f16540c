// The Kinesis part of /metrics (docs/operations.md): each stream's metrics
// with the names and meaning of Kinesis's CloudWatch stream metrics, the
// per-shard series of the streams that enabled them with
// EnableEnhancedMonitoring, each stream's bytes on disk, and the store's
// write and sync latency. Prometheus text format.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/stream_service.h"
#include "handlers/traffic_meter.h"
#include "store/store.h"

namespace riffle::app {

// Appends the metrics of `totals` (TrafficMeter::Totals()) for the streams
// that exist in `streams`, shard series only for the metrics their stream
// enabled. Never blocks.
void AppendStreamMetrics(std::string& out, const std::vector<handlers::TrafficMeter::StreamTotals>& totals,
                         const core::StreamService& streams);

// Appends riffle_stream_disk_bytes per stream of `usage` (nothing when empty).
void AppendDiskUsage(std::string& out, const std::vector<core::StreamService::StreamBytes>& usage);

// Appends the store's write and sync latency histograms, stalls and failed
// writes (nothing when the store does not measure them).
void AppendStoreMetrics(std::string& out, const std::optional<store::Store::WriteStats>& stats);

}  // namespace riffle::app
