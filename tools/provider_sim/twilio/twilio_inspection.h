// JSON for Twilio's test-inspection endpoints (GET /sim/calls, GET /sim/calls/{CallSid}): what a
// call did, which REST updates reached it and which callbacks it delivered.
#pragma once

#include <vector>

#include "nlohmann/json.hpp"
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

}  // namespace callcontrol::provider_sim
