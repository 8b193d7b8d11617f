// Telnyx in provider-sim: Call Control under /v2/ (telnyx_api.h), Ed25519-signed webhooks
// (telnyx_engine.h, telnyx_webhook.h), the /sim/telnyx/ controls and inspection, Telnyx legs
// under GET /sim/calls/{call_control_id}, and the --telnyx-* flags with the signing key files
// (telnyx_key_file.h).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tools/provider_sim/sim_provider.h"
#include "tools/provider_sim/telnyx/telnyx_api.h"
#include "tools/provider_sim/telnyx/telnyx_engine.h"

namespace callcontrol::provider_sim {

class TelnyxSimProvider : public SimProvider {
 public:
  static constexpr std::string_view kName = "telnyx";

  struct Options {
    std::vector<std::string> api_keys;  // accepted Bearer keys; empty: the default key
    // Base64 Ed25519 seed that signs the webhooks; empty: a fresh key pair at Start.
    std::string private_key_base64;
  };

  // Set before Start.
  Options& options() { return options_; }

  // Base64 of the Ed25519 public key that verifies the webhooks; set by Start.
  const std::string& public_key() const { return public_key_; }

  std::string_view name() const override { return kName; }
  std::string_view description() const override {
    return "Telnyx Call Control (dial/hangup/retrieve)";
  }
  // --telnyx-api-key (repeatable), --telnyx-private-key-file, --telnyx-public-key-out.
  void AddFlags(CLI::App& app) override;
  // Loads (or creates) --telnyx-private-key-file; its error's message starts with the flag.
  absl::Status ApplyFlags() override;
  std::string ScenarioHelp() const override;
  // kInvalidArgument for an empty key or one with spaces, or a private key that is not a base64
  // 32-byte seed. Routes: /v2/ (TelnyxApi), /sim/telnyx/ (POST controls, GET inspection).
  absl::Status Start(const SimContext& context, const SimProviderRoutes& routes) override;
  std::string LogSummary() const override;
  // A call_control_id's view.
  std::optional<nlohmann::json> InspectCall(const std::string& id) const override;
  // Writes --telnyx-public-key-out if given; announces "telnyx public key: <base64>".
  absl::StatusOr<std::vector<std::string>> Announce() override;

 private:
  Options options_;
  std::string private_key_file_;
  std::string public_key_out_;
  std::string public_key_;
  std::unique_ptr<TelnyxEngine> engine_;
  std::unique_ptr<TelnyxApi> api_;
};

}  // namespace callcontrol::provider_sim
