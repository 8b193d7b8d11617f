// Exotel in provider-sim: the Voice v1 subset under /v1/ (exotel_api.h), its status callbacks
// (exotel_engine.h, exotel_webhook.h), the /sim/exotel/ control and inspection, and the
// --exotel-account flag.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tools/provider_sim/exotel/exotel_api.h"
#include "tools/provider_sim/exotel/exotel_engine.h"
#include "tools/provider_sim/sim_provider.h"

namespace callcontrol::provider_sim {

class ExotelSimProvider : public SimProvider {
 public:
  static constexpr std::string_view kName = "exotel";

  struct Options {
    std::vector<ExotelAccount> accounts;  // empty: the default account
  };

  // Set before Start.
  Options& options() { return options_; }

  std::string_view name() const override { return kName; }
  std::string_view description() const override {
    return "Exotel's Connect API (connect/call details)";
  }
  // --exotel-account SID:API_KEY:API_TOKEN (repeatable).
  void AddFlags(CLI::App& app) override;
  // kInvalidArgument "--exotel-account: ..." for a spec ParseExotelAccount refuses.
  absl::Status ApplyFlags() override;
  std::string ScenarioHelp() const override;
  // kInvalidArgument for an account without a SID, key or token. Routes: /v1/ (ExotelApi),
  // /sim/exotel/ (POST control, GET inspection).
  absl::Status Start(const SimContext& context, const SimProviderRoutes& routes) override;
  std::string LogSummary() const override;

 private:
  Options options_;
  std::vector<std::string> account_flags_;
  std::unique_ptr<ExotelEngine> engine_;
  std::unique_ptr<ExotelApi> api_;
};

}  // namespace callcontrol::provider_sim
