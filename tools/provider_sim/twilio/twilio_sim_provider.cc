#include "tools/provider_sim/twilio/twilio_sim_provider.h"

#include <utility>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "tools/provider_sim/inspection.h"
#include "tools/provider_sim/scenario.h"
#include "tools/provider_sim/sim_http.h"
#include "tools/provider_sim/twilio/twilio_errors.h"
#include "tools/provider_sim/twilio/twilio_inspection.h"
#include "tools/provider_sim/twilio/twilio_scenario.h"

namespace callcontrol::provider_sim {

void TwilioSimProvider::AddFlags(CLI::App& app) {
  app.add_option("--twilio-account", account_flags_,
                 std::string("Accepted Twilio account as SID:TOKEN (repeatable); default ") +
                     kDefaultAccountSid + ":" + kDefaultAuthToken)
      ->take_all();
}

absl::Status TwilioSimProvider::ApplyFlags() {
  for (const std::string& spec : account_flags_) {
    auto account = ParseTwilioAccount(spec);
    if (!account.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--twilio-account: ", account.status().message()));
    }
    options_.accounts.push_back(*std::move(account));
  }
  return absl::OkStatus();
}

std::string TwilioSimProvider::ScenarioHelp() const {
  return ScenarioTableHelp(
      "Twilio scenarios (by the last 4 digits of To; others behave like 0100):", AllScenarios());
}

absl::Status TwilioSimProvider::Start(const SimContext& context, const SimProviderRoutes& routes) {
  if (options_.accounts.empty())
    options_.accounts.push_back({kDefaultAccountSid, kDefaultAuthToken});
  engine_ =
      std::make_unique<CallEngine>(CallEngine::Options{.time_scale = context.time_scale,
                                                       .max_ended_calls = context.max_ended_calls},
                                   context.scheduler, context.sender);
  api_ = std::make_unique<TwilioApi>(options_.accounts, engine_.get());
  if (absl::Status s = routes.api->Add(
          "/2010-04-01/", [this](const http::Request& request,
                                 http::Responder respond) { respond(api_->Handle(request)); });
      !s.ok()) {
    return s;
  }
  if (absl::Status s = routes.api->Add(
          "/",
          [](const http::Request& request, http::Responder respond) {
            respond(JsonResponse(
                404, TwilioErrorJson(TwilioError(
                         absl::StatusCode::kNotFound, 20404,
                         "The requested resource " + request.path + " was not found"))));
          });
      !s.ok()) {
    return s;
  }
  return routes.sim->Add(
      "/sim/calls", [this](const http::Request& request, http::Responder respond) {
        respond(ServeInspection(
            request, "/sim/calls", "call",
            [this](size_t limit) { return InspectionListJson(engine_->ListCalls(limit)); }, {}));
      });
}

std::string TwilioSimProvider::LogSummary() const {
  return absl::StrCat(" accounts=", options_.accounts.size());
}

std::optional<nlohmann::json> TwilioSimProvider::InspectCall(const std::string& id) const {
  auto call = engine_->InspectCall(id);
  if (!call.ok()) return std::nullopt;
  return InspectionJson(*call);
}

}  // namespace callcontrol::provider_sim
