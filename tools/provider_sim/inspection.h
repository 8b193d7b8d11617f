// JSON for the simulator's test-inspection endpoints (GET /sim/calls, GET /sim/calls/{CallSid},
// GET /sim/telnyx/calls, GET /sim/telnyx/calls/{call_control_id}, GET /sim/exotel/calls/{sid},
// GET /sim/bolna/executions/{id}): what a call did, which REST updates or hangups reached it and
// which webhooks it delivered.
#pragma once

#include <vector>

#include "nlohmann/json.hpp"
#include "tools/provider_sim/bolna/bolna_engine.h"
#include "tools/provider_sim/exotel/exotel_engine.h"
#include "tools/provider_sim/telnyx/telnyx_engine.h"
#include "tools/provider_sim/twilio/twilio_engine.h"

namespace callcontrol::provider_sim {

// One call: sid, to, from, scenario, phase, status, status_callback(+_method, _events),
// callbacks_disabled_reason, deleted, resource (the Twilio Call JSON), updates [{status,
// redirect, at, http_status, error_code, effect}] and callbacks [{call_status, sequence_number,
// attempt, redelivery, http_status, error, idempotency_token, at}]. Times are RFC 3339 UTC.
// The auth token is never included.
nlohmann::json InspectionJson(const SimCall& call);

// {"calls": [summary...]}, each summary being sid, to, scenario, phase, status, deleted,
// updates (count) and callbacks (count of delivery attempts).
nlohmann::json InspectionListJson(const std::vector<SimCall>& calls);

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

// One Exotel call: provider "exotel", sid, account_sid, scenario, phase (dialing|answered|ended),
// status, from, to, caller_id, url, record, custom_field, status_callback,
// status_callback_events [terminal, answered as subscribed], status_callback_content_type,
// request (the connect form as received: [[name, value], ...]), call (the REST Call JSON), sent
// [{index, event_type, status, content_type, body, control, at}] (each callback built, its exact
// body) and deliveries [{index (into sent), status, attempt (from 0), http_status (0 = no
// response), error, at}] per HTTP attempt.
nlohmann::json ExotelInspectionJson(const ExotelCall& call);

// {"calls": [summary...]}: provider, sid, from, scenario, phase, status, sent (count),
// deliveries (count).
nlohmann::json ExotelInspectionListJson(const std::vector<ExotelCall>& calls);

// One Bolna execution: provider "bolna", execution_id, agent_id, scenario, status, ended, to,
// from, webhook_url, execution (the object the last status webhook carried), sent [{index,
// status, body, control, at}] and deliveries [{index, status, attempt, http_status, error, at}].
nlohmann::json BolnaInspectionJson(const BolnaExecution& execution);

// {"executions": [summary...]}: provider, execution_id, to, scenario, status, ended, sent,
// deliveries.
nlohmann::json BolnaInspectionListJson(const std::vector<BolnaExecution>& executions);

}  // namespace callcontrol::provider_sim
