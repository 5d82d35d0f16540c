// The channel operations' wire shapes to and from core's (channel_service.h).
#pragma once

#include "core/channel_service.h"
#include "handlers/handler.h"
#include "protocol/wire_types.h"

namespace riffle::handlers {

core::ChannelRequest ToChannelRequest(const wire::CreateChannelInput& input, const RequestScope& scope);
wire::ChannelDescription ToWireChannel(const core::ChannelView& channel);
wire::ChannelSummary ToWireChannelSummary(const core::ChannelView& channel);

}  // namespace riffle::handlers
