#include "tools/provider_sim/bolna/bolna_sim_provider.h"

#include <optional>
#include <utility>

#include "tools/provider_sim/bolna/bolna_inspection.h"
#include "tools/provider_sim/bolna/bolna_scenario.h"
#include "tools/provider_sim/inspection.h"
#include "tools/provider_sim/scenario.h"

namespace callcontrol::provider_sim {

std::string BolnaSimProvider::ScenarioHelp() const {
  return ScenarioTableHelp(
      "Bolna scenarios (by the last 4 digits of `to`; others behave like 0100):",
      AllBolnaScenarios());
}

absl::Status BolnaSimProvider::Start(const SimContext& context, const SimProviderRoutes& routes) {
  engine_ = std::make_unique<BolnaEngine>(
      BolnaEngine::Options{.time_scale = context.time_scale,
                           .max_ended_executions = context.max_ended_calls},
      context.scheduler, context.sender);
  api_ = std::make_unique<BolnaApi>(engine_.get());
  return routes.sim->Add(
      "/sim/bolna/", [this](const http::Request& request, http::Responder respond) {
        // The controls answer once their webhook has been answered.
        if (request.method == "POST") return api_->HandleSimControl(request, std::move(respond));
        respond(ServeInspection(
            request, "/sim/bolna/executions", "bolna execution",
            [this](size_t limit) { return BolnaInspectionListJson(engine_->List(limit)); },
            [this](const std::string& id) -> std::optional<nlohmann::json> {
              auto execution = engine_->Get(id);
              if (!execution.ok()) return std::nullopt;
              return BolnaInspectionJson(*execution);
            }));
      });
}

}  // namespace callcontrol::provider_sim
