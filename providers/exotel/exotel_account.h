// The "exotel" block of a tenant's config: how callcontrol reaches Exotel
// (https://developer.exotel.com/api/make-a-call-api). StartCall connects the called number to a
// call flow (the Connect API's `Url` variant).
//
//   "exotel": { "account_sid": "…", "api_key": "${EXOTEL_API_KEY}",
//               "api_token": "${EXOTEL_API_TOKEN}", "api_base_url": "https://api.exotel.com",
//               "caller_id": "<ExoPhone>", "flow_url": "http://my.exotel.com/…" }
//
// Every key but api_base_url is required; unknown keys are refused. Exotel does not sign its
// callbacks, so a tenant using Exotel also needs a "webhook_token" (config.h).
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/config/config.h"
#include "nlohmann/json_fwd.hpp"

namespace callcontrol::exotel {

struct ExotelAccount final : config::ProviderAccount {
  std::string account_sid;                              // the account SID in the API path
  std::string api_key;                                  // secret: HTTP Basic user
  std::string api_token;                                // secret: HTTP Basic password
  std::string api_base_url = "https://api.exotel.com";  // Mumbai: https://api.in.exotel.com
  std::string caller_id;  // the ExoPhone shown to the called party (Exotel `CallerId`)
  std::string flow_url;   // the call flow the answered call runs (Exotel `Url`)
};

// Reads the block; `where` names it in messages ("tenants[0].exotel"). kInvalidArgument naming
// the key at fault.
absl::StatusOr<std::shared_ptr<const config::ProviderAccount>> ParseExotelAccount(
    const nlohmann::json& block, const std::string& where);

// The tenant's "exotel" block, or nullptr when it has none.
inline const ExotelAccount* AccountOf(const config::TenantConfig& tenant) {
  return tenant.Account<ExotelAccount>(v1::PROVIDER_EXOTEL);
}

}  // namespace callcontrol::exotel
