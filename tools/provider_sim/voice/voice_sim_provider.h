// The voice-clone API in provider-sim (ElevenLabs-shaped; not a telephony provider): POST
// /v1/voices/add (voice_api.h), GET /sim/voices, and the --voice-api-key flag.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tools/provider_sim/sim_provider.h"
#include "tools/provider_sim/voice/voice_api.h"

namespace callcontrol::provider_sim {

class VoiceSimProvider : public SimProvider {
 public:
  static constexpr std::string_view kName = "voice";

  struct Options {
    std::vector<std::string> api_keys;  // accepted xi-api-key values; empty: the default
  };

  // Set before Start.
  Options& options() { return options_; }

  std::string_view name() const override { return kName; }
  std::string_view description() const override {
    return "an ElevenLabs-shaped voice-clone API (POST /v1/voices/add)";
  }
  // --voice-api-key (repeatable).
  void AddFlags(CLI::App& app) override;
  std::string ScenarioHelp() const override;
  // kInvalidArgument for an empty key or one with spaces. Routes: /v1/voices/ (VoiceApi), GET
  // /sim/voices.
  absl::Status Start(const SimContext& context, const SimProviderRoutes& routes) override;
  std::string LogSummary() const override;
  // Answers the held and delayed requests with 503 (VoiceApi::Shutdown).
  void Shutdown() override;

 private:
  Options options_;
  std::unique_ptr<VoiceApi> api_;
};

}  // namespace callcontrol::provider_sim
