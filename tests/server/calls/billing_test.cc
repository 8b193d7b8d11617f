#include "server/calls/billing.h"

#include <gtest/gtest.h>

#include "server/calls/call_registry.h"
#include "server/calls/call_state_machine.h"
#include "server/calls/report_limits.h"

namespace callcontrol::calls {
namespace {

config::Rate PerMinute(int64_t micros, const char* currency = "USD") {
  config::Rate r;
  r.price_per_minute_micros = micros;
  r.currency = currency;
  r.rounding = config::Rate::Rounding::kPerStartedMinute;
  return r;
}

TEST(BillingTest, PerStartedMinuteBillsWholeMinutes) {
  const config::Rate rate = PerMinute(14000);  // 0.014 USD per minute
  const Bill bill = ComputeBill(125, &rate);
  EXPECT_EQ(bill.billable_seconds, 180);
  ASSERT_TRUE(bill.cost.has_value());
  EXPECT_EQ(bill.cost->amount_micros(), 42000);  // 3 minutes, to the micro
  EXPECT_EQ(bill.cost->currency_code(), "USD");
  EXPECT_EQ(ComputeBill(120, &rate).billable_seconds, 120);
  EXPECT_EQ(ComputeBill(0, &rate).cost->amount_micros(), 0);
  EXPECT_EQ(ComputeBill(1, &rate).billable_seconds, 60);
}

// Audit finding 11: an 18-digit duration at a per-minute price wrapped into a negative cost.
// Durations are capped at kMaxCallSeconds and products never wrap.
TEST(BillingTest, HugeDurationsAndPricesNeverWrap) {
  const config::Rate rate = PerMinute(INT64_MAX / 2);
  const Bill bill = ComputeBill(999'999'999'999'999'999, &rate);
  EXPECT_EQ(bill.billable_seconds, kMaxCallSeconds);
  ASSERT_TRUE(bill.cost.has_value());
  EXPECT_EQ(bill.cost->amount_micros(), INT64_MAX);
  EXPECT_EQ(ComputeBill(INT64_MAX, nullptr).billable_seconds, kMaxCallSeconds);
  config::Rate per_second = PerMinute(INT64_MAX);
  per_second.rounding = config::Rate::Rounding::kPerSecond;
  EXPECT_EQ(ComputeBill(INT64_MAX, &per_second).cost->amount_micros(), INT64_MAX);
  const config::Rate plain = PerMinute(14000);
  EXPECT_EQ(ComputeBill(60, &plain).cost->amount_micros(), 14000);
}

TEST(BillingTest, PerSecondRoundsHalfUpToTheMicro) {
  config::Rate rate = PerMinute(10, "INR");
  rate.rounding = config::Rate::Rounding::kPerSecond;
  EXPECT_EQ(ComputeBill(125, &rate).billable_seconds, 125);
  EXPECT_EQ(ComputeBill(125, &rate).cost->amount_micros(), 21);  // 20.83 -> 21
  EXPECT_EQ(ComputeBill(3, &rate).cost->amount_micros(), 1);     // 0.5 -> 1
  EXPECT_EQ(ComputeBill(2, &rate).cost->amount_micros(), 0);     // 0.33 -> 0
  // No overflow on a large price and a long call.
  rate.price_per_minute_micros = INT64_C(1) << 40;
  EXPECT_EQ(ComputeBill(6000, &rate).cost->amount_micros(), (INT64_C(1) << 40) * 100);
}

TEST(BillingTest, WithoutARateBillsTheDurationAtNoPrice) {
  const Bill bill = ComputeBill(125, nullptr);
  EXPECT_EQ(bill.billable_seconds, 125);
  EXPECT_FALSE(bill.cost.has_value());
}

TEST(BillingTest, AnEndedCallIsPricedAndAProviderPriceWins) {
  const config::Rate rate = PerMinute(14000);
  v1::Call call;
  call.set_status(v1::CALL_STATUS_IN_PROGRESS);
  CallProgress progress;
  ProviderReport end;
  end.status = v1::CALL_STATUS_COMPLETED;
  end.duration_seconds = 125;
  ASSERT_TRUE(ApplyReport(end, absl::Now(), &call, &progress, &rate));
  EXPECT_EQ(call.billable_seconds(), 180);
  EXPECT_EQ(call.cost().amount_micros(), 42000);
  EXPECT_FALSE(call.cost_reported_by_provider());

  ProviderReport priced;
  v1::Money price;
  price.set_currency_code("USD");
  price.set_amount_micros(39000);
  priced.price = price;
  ASSERT_TRUE(ApplyReport(priced, absl::Now(), &call, &progress, &rate));
  EXPECT_EQ(call.cost().amount_micros(), 39000);
  EXPECT_TRUE(call.cost_reported_by_provider());
  EXPECT_FALSE(ApplyReport(priced, absl::Now(), &call, &progress, &rate));  // same price
}

TEST(BillingTest, RecordingsAttachEvenAfterTheEnd) {
  v1::Call call;
  call.set_status(v1::CALL_STATUS_COMPLETED);
  CallProgress progress;
  ProviderReport r;
  v1::Recording rec;
  rec.set_recording_id("RE1");
  rec.set_status("in-progress");
  r.recording = rec;
  ASSERT_TRUE(ApplyReport(r, absl::Now(), &call, &progress));
  rec.set_status("completed");
  rec.set_url("https://example.com/RE1.mp3");
  rec.set_duration_seconds(47);
  r.recording = rec;
  ASSERT_TRUE(ApplyReport(r, absl::Now(), &call, &progress));
  ASSERT_EQ(call.recordings_size(), 1);
  EXPECT_EQ(call.recordings(0).status(), "completed");
  EXPECT_EQ(call.recordings(0).duration_seconds(), 47);
  EXPECT_FALSE(ApplyReport(r, absl::Now(), &call, &progress));  // the same again
  v1::Recording other;
  other.set_url("https://example.com/other.mp3");
  r.recording = other;
  ASSERT_TRUE(ApplyReport(r, absl::Now(), &call, &progress));
  EXPECT_EQ(call.recordings_size(), 2);
}

TEST(BillingTest, RegistryTotalsAreExactPerCurrency) {
  CallRegistry registry(CallRegistry::Options{});
  auto add = [&](const char* id, int64_t duration, int64_t micros, const char* currency) {
    v1::Call call;
    call.set_call_id(id);
    call.set_tenant_id("acme");
    call.set_status(v1::CALL_STATUS_IN_PROGRESS);
    CallEntry* entry = registry.Add(call, "");
    const Counted before = Counted::Of(entry->call);
    entry->call.set_status(v1::CALL_STATUS_COMPLETED);
    entry->call.set_duration_seconds(duration);
    entry->call.set_billable_seconds(duration);
    entry->call.mutable_cost()->set_currency_code(currency);
    entry->call.mutable_cost()->set_amount_micros(micros);
    EXPECT_TRUE(registry.Updated(entry, before, absl::Now()));
  };
  add("call_a", 125, 42000, "USD");
  add("call_b", 35, 14000, "USD");
  add("call_c", 60, 800000, "INR");
  const v1::Metrics m = registry.Metrics("acme");
  EXPECT_EQ(m.billable_seconds(), 220);
  ASSERT_EQ(m.total_cost_size(), 2);
  EXPECT_EQ(m.total_cost(0).currency_code(), "INR");
  EXPECT_EQ(m.total_cost(0).amount_micros(), 800000);
  EXPECT_EQ(m.total_cost(1).amount_micros(), 56000);
  EXPECT_EQ(m.completed_calls(), 3);
  EXPECT_NEAR(m.average_duration_seconds(), 220.0 / 3, 1e-9);
  EXPECT_EQ(m.active_calls(), 0);
}

}  // namespace
}  // namespace callcontrol::calls
