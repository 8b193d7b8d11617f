#include "tools/provider_sim/voice/voice_sim_provider.h"

#include <utility>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "tools/provider_sim/inspection.h"
#include "tools/provider_sim/scenario.h"

namespace callcontrol::provider_sim {

void VoiceSimProvider::AddFlags(CLI::App& app) {
  app.add_option("--voice-api-key", options_.api_keys,
                 std::string("Accepted voice-clone API key, sent as 'xi-api-key: KEY' on POST "
                             "/v1/voices/add (repeatable); default ") +
                     kDefaultVoiceApiKey)
      ->take_all();
}

std::string VoiceSimProvider::ScenarioHelp() const {
  return ScenarioTableHelp(
      "Voice-clone scenarios (by the last 4 digits of the voice name; others behave like 0100):",
      AllVoiceScenarios());
}

absl::Status VoiceSimProvider::Start(const SimContext& context, const SimProviderRoutes& routes) {
  if (options_.api_keys.empty()) options_.api_keys.push_back(kDefaultVoiceApiKey);
  for (const std::string& key : options_.api_keys) {
    if (key.empty() || key.find_first_of(" \t\r\n") != std::string::npos) {
      return absl::InvalidArgumentError("a voice API key must be non-empty, without spaces");
    }
  }
  api_ = std::make_unique<VoiceApi>(
      VoiceApi::Options{.time_scale = context.time_scale, .max_records = context.max_ended_calls},
      options_.api_keys, context.scheduler);
  if (absl::Status s =
          routes.api->Add("/v1/voices/",
                          [this](const http::Request& request, http::Responder respond) {
                            api_->Handle(request, std::move(respond));
                          });
      !s.ok()) {
    return s;
  }
  return routes.sim->Add(
      "/sim/voices", [this](const http::Request& request, http::Responder respond) {
        respond(ServeInspection(
            request, "/sim/voices", "voice",
            [this](size_t limit) -> nlohmann::json { return api_->ListJson(limit); }, {}));
      });
}

std::string VoiceSimProvider::LogSummary() const {
  return absl::StrCat(" voice_keys=", options_.api_keys.size());
}

void VoiceSimProvider::Shutdown() {
  if (api_ != nullptr) api_->Shutdown();
}

}  // namespace callcontrol::provider_sim
