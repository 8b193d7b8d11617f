#include "tools/provider_sim/bolna/bolna_inspection.h"

#include <string>

#include "tools/provider_sim/inspection.h"

namespace callcontrol::provider_sim {
namespace {

nlohmann::json BolnaSummary(const BolnaExecution& e) {
  return {
      {"provider", "bolna"},   {"execution_id", e.id},
      {"to", e.request.to},    {"scenario", std::string(e.scenario->name)},
      {"status", e.status},    {"ended", e.ended},
      {"sent", e.sent.size()}, {"deliveries", e.deliveries.size()},
  };
}

}  // namespace

nlohmann::json BolnaInspectionJson(const BolnaExecution& e) {
  nlohmann::json out = BolnaSummary(e);
  out["agent_id"] = e.request.agent_id;
  out["from"] = e.request.from;
  out["webhook_url"] = e.request.webhook_url;
  out["execution"] = nlohmann::json::parse(BolnaExecutionJson(e.fields).dump());
  nlohmann::json sent = nlohmann::json::array();
  for (size_t i = 0; i < e.sent.size(); ++i) {
    const BolnaSentWebhook& w = e.sent[i];
    sent.push_back({
        {"index", i},
        {"status", w.status},
        {"body", w.body},
        {"control", w.control},
        {"at", Rfc3339(w.at)},
    });
  }
  out["sent"] = std::move(sent);
  out["deliveries"] = DeliveriesJson(e.deliveries);
  return out;
}

nlohmann::json BolnaInspectionListJson(const std::vector<BolnaExecution>& executions) {
  nlohmann::json list = nlohmann::json::array();
  for (const BolnaExecution& e : executions) list.push_back(BolnaSummary(e));
  return {{"executions", std::move(list)}};
}

}  // namespace callcontrol::provider_sim
