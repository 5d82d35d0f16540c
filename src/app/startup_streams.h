// Streams that exist at start ([[streams]] / RIFFLE_STREAMS; docs/configuration.md).
#pragma once

#include <string>

#include "app/serve.h"
#include "core/stream_service.h"

namespace riffle::app {

// Creates each of config.streams that does not exist, through the service
// like a CreateStream call (with its tags, then its retention and
// consumers), and waits until it and its consumers are ACTIVE. A stream that
// exists is left as it is; where it differs from its entry, a warning says
// how. Another node creating the same stream at the same time is no error.
// Returns "" or one line saying which stream failed and why.
std::string CreateStartupStreams(core::StreamService& service, const ServeConfig& config);

}  // namespace riffle::app
