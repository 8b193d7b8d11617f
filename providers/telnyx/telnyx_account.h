// The "telnyx" block of a tenant's config: how callcontrol reaches Telnyx Call Control
// (https://developers.telnyx.com/docs/voice/programmable-voice).
//
//   "telnyx": { "api_key": "${TELNYX_API_KEY}", "connection_id": "…",
//               "public_key": "<base64 Ed25519 public key>",
//               "api_base_url": "https://api.telnyx.com", "webhook_tolerance_seconds": 300 }
//
// api_key, connection_id and public_key are required; unknown keys are refused.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/config/config.h"
#include "nlohmann/json_fwd.hpp"

namespace callcontrol::telnyx {

struct TelnyxAccount final : config::ProviderAccount {
  std::string api_key;  // secret: "KEY…", sent as `Authorization: Bearer`
  // The Call Control Application (connection) outbound calls are placed on.
  std::string connection_id;
  // The account's webhook signing key: base64 of the 32-byte Ed25519 public key (Mission Control
  // portal, "Public Key").
  std::string public_key;
  std::string api_base_url = "https://api.telnyx.com";
  // Webhooks whose `telnyx-timestamp` is further than this from now are refused (replay window;
  // Telnyx's SDKs use 300 s). At least 1.
  int64_t webhook_tolerance_seconds = 300;
};

// Reads the block; `where` names it in messages ("tenants[0].telnyx"). kInvalidArgument naming
// the key at fault.
absl::StatusOr<std::shared_ptr<const config::ProviderAccount>> ParseTelnyxAccount(
    const nlohmann::json& block, const std::string& where);

// The tenant's "telnyx" block, or nullptr when it has none.
inline const TelnyxAccount* AccountOf(const config::TenantConfig& tenant) {
  return tenant.Account<TelnyxAccount>(v1::PROVIDER_TELNYX);
}

}  // namespace callcontrol::telnyx
