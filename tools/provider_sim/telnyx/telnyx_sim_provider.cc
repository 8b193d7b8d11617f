#include "tools/provider_sim/telnyx/telnyx_sim_provider.h"

#include <utility>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "providers/telnyx/telnyx_signature.h"
#include "tools/provider_sim/inspection.h"
#include "tools/provider_sim/scenario.h"
#include "tools/provider_sim/telnyx/telnyx_inspection.h"
#include "tools/provider_sim/telnyx/telnyx_key_file.h"
#include "tools/provider_sim/telnyx/telnyx_scenario.h"

namespace callcontrol::provider_sim {

void TelnyxSimProvider::AddFlags(CLI::App& app) {
  app.add_option("--telnyx-api-key", options_.api_keys,
                 std::string("Accepted Telnyx API key, sent as 'Authorization: Bearer KEY' "
                             "(repeatable); default ") +
                     kDefaultTelnyxApiKey)
      ->take_all();
  app.add_option("--telnyx-private-key-file", private_key_file_,
                 "File holding the base64 Ed25519 seed that signs Telnyx webhooks: loaded if it "
                 "exists, else a new key is generated and written there (mode 0600). Without "
                 "it, a fresh key is generated at every start");
  app.add_option("--telnyx-public-key-out", public_key_out_,
                 "Write the base64 Telnyx webhook public key (one line) to this file");
}

absl::Status TelnyxSimProvider::ApplyFlags() {
  if (private_key_file_.empty()) return absl::OkStatus();
  auto key = LoadOrCreateTelnyxKeyFile(private_key_file_);
  if (!key.ok()) {
    return absl::Status(key.status().code(),
                        absl::StrCat("--telnyx-private-key-file: ", key.status().message()));
  }
  options_.private_key_base64 = key->private_key_base64;
  return absl::OkStatus();
}

std::string TelnyxSimProvider::ScenarioHelp() const {
  return ScenarioTableHelp(
      "Telnyx scenarios (by the last 4 digits of `to`; others behave like 0100):",
      AllTelnyxScenarios());
}

absl::Status TelnyxSimProvider::Start(const SimContext& context, const SimProviderRoutes& routes) {
  if (options_.api_keys.empty()) options_.api_keys.push_back(kDefaultTelnyxApiKey);
  for (const std::string& key : options_.api_keys) {
    if (key.empty() || key.find_first_of(" \t\r\n") != std::string::npos) {
      return absl::InvalidArgumentError("a Telnyx API key must be non-empty, without spaces");
    }
  }
  if (options_.private_key_base64.empty()) {
    telnyx::KeyPair pair = telnyx::GenerateKeyPair();
    options_.private_key_base64 = std::move(pair.private_key_base64);
    public_key_ = std::move(pair.public_key_base64);
  } else {
    auto public_key = telnyx::PublicKeyOf(options_.private_key_base64);
    if (!public_key.ok()) {
      return absl::InvalidArgumentError(
          "the Telnyx private key is not a base64 32-byte Ed25519 seed");
    }
    public_key_ = *std::move(public_key);
  }
  engine_ = std::make_unique<TelnyxEngine>(
      TelnyxEngine::Options{.time_scale = context.time_scale,
                            .private_key_base64 = options_.private_key_base64,
                            .max_ended_sessions = context.max_ended_calls},
      context.scheduler, context.sender);
  api_ = std::make_unique<TelnyxApi>(options_.api_keys, engine_.get());
  if (absl::Status s = routes.api->Add(
          "/v2/", [this](const http::Request& request,
                         http::Responder respond) { respond(api_->Handle(request)); });
      !s.ok()) {
    return s;
  }
  return routes.sim->Add(
      "/sim/telnyx/", [this](const http::Request& request, http::Responder respond) {
        if (request.method == "POST") return respond(api_->HandleSimControl(request));
        respond(ServeInspection(
            request, "/sim/telnyx/calls", "telnyx call",
            [this](size_t limit) { return TelnyxInspectionListJson(engine_->ListCalls(limit)); },
            [this](const std::string& id) { return InspectCall(id); }));
      });
}

std::string TelnyxSimProvider::LogSummary() const {
  return absl::StrCat(" telnyx_keys=", options_.api_keys.size());
}

std::optional<nlohmann::json> TelnyxSimProvider::InspectCall(const std::string& id) const {
  auto call = engine_->GetCall(id);
  if (!call.ok()) return std::nullopt;
  return TelnyxInspectionJson(*call);
}

absl::StatusOr<std::vector<std::string>> TelnyxSimProvider::Announce() {
  if (!public_key_out_.empty()) {
    const absl::Status written = WriteTelnyxPublicKeyFile(public_key_out_, public_key_);
    if (!written.ok()) {
      return absl::Status(written.code(),
                          absl::StrCat("--telnyx-public-key-out: ", written.message()));
    }
  }
  return std::vector<std::string>{"telnyx public key: " + public_key_};
}

}  // namespace callcontrol::provider_sim
