#include "server/calls/billing.h"

namespace callcontrol::calls {

Bill ComputeBill(int64_t duration_seconds, const config::Rate* rate) {
  Bill bill;
  const int64_t seconds = duration_seconds < 0 ? 0 : duration_seconds;
  bill.billable_seconds = seconds;
  if (rate == nullptr) return bill;
  v1::Money cost;
  cost.set_currency_code(rate->currency);
  if (rate->rounding == config::Rate::Rounding::kPerStartedMinute) {
    const int64_t minutes = (seconds + 59) / 60;
    bill.billable_seconds = minutes * 60;
    cost.set_amount_micros(minutes * rate->price_per_minute_micros);
  } else {
    // price × seconds / 60, half up; 128-bit so a large price × a long call cannot overflow.
    const __int128 scaled = static_cast<__int128>(rate->price_per_minute_micros) * seconds;
    cost.set_amount_micros(static_cast<int64_t>((scaled + 30) / 60));
  }
  bill.cost = std::move(cost);
  return bill;
}

}  // namespace callcontrol::calls
