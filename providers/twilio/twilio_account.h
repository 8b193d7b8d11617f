// The "twilio" block of a tenant's config: how callcontrol reaches Twilio.
#pragma once

#include "common/config/config.h"

namespace callcontrol::twilio {

using TwilioAccount = config::TwilioAccount;

// The tenant's "twilio" block, or nullptr when it has none.
inline const TwilioAccount* AccountOf(const config::TenantConfig& tenant) {
  return tenant.has_twilio ? &tenant.twilio : nullptr;
}

}  // namespace callcontrol::twilio
