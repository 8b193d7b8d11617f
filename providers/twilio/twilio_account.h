// The "twilio" block of a tenant's config: how callcontrol reaches Twilio Programmable Voice.
//
//   "twilio": { "account_sid": "AC…", "auth_token": "${TWILIO_AUTH_TOKEN}",
//               "api_base_url": "https://api.twilio.com", "record": false }
//
// account_sid "AC" + 32 lowercase hex and auth_token (non-empty) are required; unknown keys are
// refused. A tenant with "record": true has every call StartCall places recorded by Twilio
// (Create Call `Record=true`,
// https://www.twilio.com/docs/voice/api/call-resource#create-a-call-resource), with the recording
// status callback sent to the adapter's /webhooks/twilio/{tenant}/recording.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/config/config.h"
#include "nlohmann/json_fwd.hpp"

namespace callcontrol::twilio {

struct TwilioAccount final : config::ProviderAccount {
  std::string account_sid;  // "AC" + 32 hex
  std::string auth_token;   // secret: never logged; also the webhook signing key
  std::string api_base_url = "https://api.twilio.com";
  // Have Twilio record the calls StartCall places (Record=true, RecordingStatusCallback pointing
  // at the adapter's recording route, method POST, event completed).
  bool record = false;
};

// Reads the block; `where` names it in messages ("tenants[0].twilio"). kInvalidArgument naming
// the key at fault.
absl::StatusOr<std::shared_ptr<const config::ProviderAccount>> ParseTwilioAccount(
    const nlohmann::json& block, const std::string& where);

// The tenant's "twilio" block, or nullptr when it has none.
inline const TwilioAccount* AccountOf(const config::TenantConfig& tenant) {
  return tenant.Account<TwilioAccount>(v1::PROVIDER_TWILIO);
}

}  // namespace callcontrol::twilio
