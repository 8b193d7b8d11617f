#include "tools/provider_sim/exotel/exotel_sim_provider.h"

#include <optional>
#include <utility>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "tools/provider_sim/exotel/exotel_inspection.h"
#include "tools/provider_sim/exotel/exotel_scenario.h"
#include "tools/provider_sim/inspection.h"
#include "tools/provider_sim/scenario.h"

namespace callcontrol::provider_sim {

void ExotelSimProvider::AddFlags(CLI::App& app) {
  app.add_option("--exotel-account", account_flags_,
                 std::string("Accepted Exotel account as SID:API_KEY:API_TOKEN (repeatable; HTTP "
                             "Basic API_KEY:API_TOKEN on /v1/Accounts/SID/...); default ") +
                     kDefaultExotelAccountSid + ":" + kDefaultExotelApiKey + ":" +
                     kDefaultExotelApiToken)
      ->take_all();
}

absl::Status ExotelSimProvider::ApplyFlags() {
  for (const std::string& spec : account_flags_) {
    auto account = ParseExotelAccount(spec);
    if (!account.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--exotel-account: ", account.status().message()));
    }
    options_.accounts.push_back(*std::move(account));
  }
  return absl::OkStatus();
}

std::string ExotelSimProvider::ScenarioHelp() const {
  return ScenarioTableHelp(
      "Exotel scenarios (by the last 4 digits of From; others behave like 0100):",
      AllExotelScenarios());
}

absl::Status ExotelSimProvider::Start(const SimContext& context, const SimProviderRoutes& routes) {
  if (options_.accounts.empty()) {
    options_.accounts.push_back(
        {kDefaultExotelAccountSid, kDefaultExotelApiKey, kDefaultExotelApiToken});
  }
  for (const ExotelAccount& account : options_.accounts) {
    if (account.account_sid.empty() || account.api_key.empty() || account.api_token.empty()) {
      return absl::InvalidArgumentError("an Exotel account needs a SID, an API key and a token");
    }
  }
  engine_ = std::make_unique<ExotelEngine>(
      ExotelEngine::Options{.time_scale = context.time_scale,
                            .max_ended_calls = context.max_ended_calls},
      context.scheduler, context.sender);
  api_ = std::make_unique<ExotelApi>(options_.accounts, engine_.get());
  if (absl::Status s = routes.api->Add(
          "/v1/", [this](const http::Request& request,
                         http::Responder respond) { respond(api_->Handle(request)); });
      !s.ok()) {
    return s;
  }
  return routes.sim->Add(
      "/sim/exotel/", [this](const http::Request& request, http::Responder respond) {
        // The control answers once its callback has been answered.
        if (request.method == "POST") return api_->HandleSimControl(request, std::move(respond));
        respond(ServeInspection(
            request, "/sim/exotel/calls", "exotel call",
            [this](size_t limit) { return ExotelInspectionListJson(engine_->ListCalls(limit)); },
            [this](const std::string& sid) -> std::optional<nlohmann::json> {
              auto call = engine_->GetCall("", sid);
              if (!call.ok()) return std::nullopt;
              return ExotelInspectionJson(*call);
            }));
      });
}

std::string ExotelSimProvider::LogSummary() const {
  return absl::StrCat(" exotel_accounts=", options_.accounts.size());
}

}  // namespace callcontrol::provider_sim
