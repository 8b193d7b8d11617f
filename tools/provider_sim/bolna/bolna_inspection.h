// JSON for Bolna's test-inspection endpoints (GET /sim/bolna/executions, GET
// /sim/bolna/executions/{id}): what an execution did and which webhooks it sent and delivered.
#pragma once

#include <vector>

#include "nlohmann/json.hpp"
#include "tools/provider_sim/bolna/bolna_engine.h"

namespace callcontrol::provider_sim {

// One Bolna execution: provider "bolna", execution_id, agent_id, scenario, status, ended, to,
// from, webhook_url, execution (the object the last status webhook carried), sent [{index,
// status, body, control, at}] and deliveries [{index, status, attempt, http_status, error, at}].
nlohmann::json BolnaInspectionJson(const BolnaExecution& execution);

// {"executions": [summary...]}: provider, execution_id, to, scenario, status, ended, sent,
// deliveries.
nlohmann::json BolnaInspectionListJson(const std::vector<BolnaExecution>& executions);

}  // namespace callcontrol::provider_sim
