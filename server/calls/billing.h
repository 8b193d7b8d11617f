// What an ended call is billed: billable seconds by the tenant's rounding rule and, when the
// provider reported no price, the cost at the tenant's per-minute rate. Integer arithmetic only,
// so totals are exact. Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <optional>

#include "callcontrol/v1/call.pb.h"
#include "common/config/config.h"

namespace callcontrol::calls {

struct Bill {
  int64_t billable_seconds = 0;
  // Billable time at the rate, in micros of the rate's currency; nullopt without a rate.
  std::optional<v1::Money> cost;
};

// Bills `duration_seconds` (talk time; clamped to 0 to kMaxCallSeconds, report_limits.h) at
// `rate` (nullptr = no rate configured: billable seconds = duration, no cost). A cost beyond
// int64 is clamped to its maximum, never wrapped.
//  - per_second: billable = duration; cost = price_per_minute × seconds / 60, rounded half up to
//    the micro;
//  - per_minute (per started minute): billable = duration rounded up to whole minutes; cost =
//    price_per_minute × minutes (125 s → 180 billable seconds, 3 × the price).
Bill ComputeBill(int64_t duration_seconds, const config::Rate* rate);

}  // namespace callcontrol::calls
