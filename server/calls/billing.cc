#include "server/calls/billing.h"

#include <algorithm>
#include <limits>

#include "server/calls/report_limits.h"

namespace callcontrol::calls {
namespace {

// 128-bit products clamped into int64, so no price × duration can wrap into a negative cost.
int64_t Clamp(__int128 value) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  return value > kMax ? kMax : static_cast<int64_t>(value);
}

}  // namespace

Bill ComputeBill(int64_t duration_seconds, const config::Rate* rate) {
  Bill bill;
  const int64_t seconds = std::clamp<int64_t>(duration_seconds, 0, kMaxCallSeconds);
  bill.billable_seconds = seconds;
  if (rate == nullptr) return bill;
  v1::Money cost;
  cost.set_currency_code(rate->currency);
  const __int128 price = std::max<int64_t>(rate->price_per_minute_micros, 0);
  if (rate->rounding == config::Rate::Rounding::kPerStartedMinute) {
    const int64_t minutes = (seconds + 59) / 60;
    bill.billable_seconds = minutes * 60;
    cost.set_amount_micros(Clamp(price * minutes));
  } else {
    // price × seconds / 60, half up.
    cost.set_amount_micros(Clamp((price * seconds + 30) / 60));
  }
  bill.cost = std::move(cost);
  return bill;
}

}  // namespace callcontrol::calls
