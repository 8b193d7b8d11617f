// JSON for Telnyx's test-inspection endpoints (GET /sim/telnyx/calls, GET
// /sim/telnyx/calls/{call_control_id}, and GET /sim/calls/{call_control_id}): what a leg did,
// which hangups reached it and which webhooks it delivered.
#pragma once

#include <vector>

#include "nlohmann/json.hpp"
#include "tools/provider_sim/telnyx/telnyx_engine.h"

namespace callcontrol::provider_sim {

// One Telnyx leg: provider "telnyx", call_control_id, call_leg_id, call_session_id,
// connection_id, kind (dial|webrtc|pstn), scenario, from, to, direction, state
// (queued|initiated|answered|hangup), is_alive, client_state, webhook_url, call_duration,
// hangup_cause/hangup_source/sip_hangup_cause (null until it ends), bridged_with
// [call_control_id], legs [{call_control_id, call_leg_id, kind, state, is_alive, hangup_cause}]
// (every leg of the session, this one included), hangup_requests [{command_id, via,
// http_status, error_code, effect, at}] in arrival order, events [{event_type, id, sends}] in
// the order they happened, webhooks [{event_type, id, attempt (= meta.attempt, from 1),
// redelivery, http_status (0 = no response), error, at}] per HTTP attempt, and call (the
// GET /v2/calls data).
nlohmann::json TelnyxInspectionJson(const TelnyxCallView& view);

// {"calls": [summary...]}, each summary being provider, call_control_id, call_session_id, kind,
// to, scenario, state, is_alive, hangup_requests (count) and webhooks (count of attempts).
nlohmann::json TelnyxInspectionListJson(const std::vector<TelnyxCallView>& views);

}  // namespace callcontrol::provider_sim
