// The "exotel" block of a tenant's config: how callcontrol reaches Exotel.
#pragma once

#include "common/config/config.h"

namespace callcontrol::exotel {

using ExotelAccount = config::ExotelAccount;

// The tenant's "exotel" block, or nullptr when it has none.
inline const ExotelAccount* AccountOf(const config::TenantConfig& tenant) {
  return tenant.has_exotel ? &tenant.exotel : nullptr;
}

}  // namespace callcontrol::exotel
