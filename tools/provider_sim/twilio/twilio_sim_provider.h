// Twilio in provider-sim: the REST subset under /2010-04-01/ (twilio_api.h), its status and
// recording callbacks (twilio_engine.h), GET /sim/calls, the --twilio-account flag, and Twilio's
// 404 for paths no provider serves (the simulator's root stands for api.twilio.com).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tools/provider_sim/sim_provider.h"
#include "tools/provider_sim/twilio/twilio_api.h"
#include "tools/provider_sim/twilio/twilio_engine.h"

namespace callcontrol::provider_sim {

class TwilioSimProvider : public SimProvider {
 public:
  static constexpr std::string_view kName = "twilio";

  struct Options {
    std::vector<TwilioAccount> accounts;  // empty: the default account
  };

  // Set before Start.
  Options& options() { return options_; }

  std::string_view name() const override { return kName; }
  std::string_view description() const override {
    return "Twilio's REST API (Calls create/fetch/update)";
  }
  // --twilio-account SID:TOKEN (repeatable).
  void AddFlags(CLI::App& app) override;
  // kInvalidArgument "--twilio-account: ..." for a spec ParseTwilioAccount refuses.
  absl::Status ApplyFlags() override;
  std::string ScenarioHelp() const override;
  // Routes: /2010-04-01/ (TwilioApi), / (404 code 20404 for any other path), GET /sim/calls.
  absl::Status Start(const SimContext& context, const SimProviderRoutes& routes) override;
  std::string LogSummary() const override;
  // A CallSid's view (deleted calls included).
  std::optional<nlohmann::json> InspectCall(const std::string& id) const override;

 private:
  Options options_;
  std::vector<std::string> account_flags_;
  std::unique_ptr<CallEngine> engine_;
  std::unique_ptr<TwilioApi> api_;
};

}  // namespace callcontrol::provider_sim
