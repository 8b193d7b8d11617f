// The "telnyx" block of a tenant's config: how callcontrol reaches Telnyx.
#pragma once

#include "common/config/config.h"

namespace callcontrol::telnyx {

using TelnyxAccount = config::TelnyxAccount;

// The tenant's "telnyx" block, or nullptr when it has none.
inline const TelnyxAccount* AccountOf(const config::TenantConfig& tenant) {
  return tenant.has_telnyx ? &tenant.telnyx : nullptr;
}

}  // namespace callcontrol::telnyx
