// Bolna in provider-sim: Bolna places calls itself, so there is no REST API to imitate; the
// /sim/bolna/ controls start executions and send single webhooks (bolna_api.h), and GET
// /sim/bolna/executions[/{id}] inspects them. No flags.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "tools/provider_sim/bolna/bolna_api.h"
#include "tools/provider_sim/bolna/bolna_engine.h"
#include "tools/provider_sim/sim_provider.h"

namespace callcontrol::provider_sim {

class BolnaSimProvider : public SimProvider {
 public:
  static constexpr std::string_view kName = "bolna";

  std::string_view name() const override { return kName; }
  std::string_view description() const override {
    return "Bolna executions (started through /sim/bolna/executions)";
  }
  std::string ScenarioHelp() const override;
  // Routes: /sim/bolna/ (POST controls, GET inspection).
  absl::Status Start(const SimContext& context, const SimProviderRoutes& routes) override;

 private:
  std::unique_ptr<BolnaEngine> engine_;
  std::unique_ptr<BolnaApi> api_;
};

}  // namespace callcontrol::provider_sim
