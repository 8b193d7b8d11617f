// JSON for Exotel's test-inspection endpoints (GET /sim/exotel/calls, GET
// /sim/exotel/calls/{sid}): what a call did and which status callbacks it sent and delivered.
#pragma once

#include <vector>

#include "nlohmann/json.hpp"
#include "tools/provider_sim/exotel/exotel_engine.h"

namespace callcontrol::provider_sim {

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

}  // namespace callcontrol::provider_sim
