#include "server/calls/call_registry.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace callcontrol::calls {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1700000000);

v1::Call NewCall(const std::string& id, const std::string& tenant) {
  v1::Call c;
  c.set_call_id(id);
  c.set_tenant_id(tenant);
  c.set_status(v1::CALL_STATUS_QUEUED);
  SetTimestamp(kT0, c.mutable_update_time());
  return c;
}

int64_t CountOf(const v1::Metrics& m, v1::CallStatus s) {
  for (const auto& sc : m.calls_by_status()) {
    if (sc.status() == s) return sc.count();
  }
  return 0;
}

TEST(CallRegistryTest, FindsByIdAliasAndIdempotencyKey) {
  CallRegistry registry({});
  v1::Call c = NewCall("call_a", "acme");
  c.set_idempotency_key("k1");
  CallEntry* e = registry.Add(c, "h");
  const Counted before = Counted::Of(e->call);
  e->call.mutable_provider_ids()->set_call_sid("CA1");
  EXPECT_FALSE(registry.Updated(e, before, kT0));  // new ids, same figures
  EXPECT_EQ(registry.Find("acme", "call_a"), e);
  EXPECT_EQ(registry.FindById("call_a"), e);
  EXPECT_EQ(registry.Find("acme", "CA1"), e);
  EXPECT_EQ(registry.FindByIdempotencyKey("acme", "k1"), e);
  EXPECT_EQ(registry.FindByIdempotencyKey("other", "k1"), nullptr);
}

TEST(CallRegistryTest, CountsFollowStatusChangesPerTenant) {
  CallRegistry registry({});
  CallEntry* a = registry.Add(NewCall("call_a", "acme"), "");
  registry.Add(NewCall("call_b", "acme"), "");
  registry.Add(NewCall("call_c", "globex"), "");
  Counted before = Counted::Of(a->call);
  a->call.set_status(v1::CALL_STATUS_COMPLETED);
  a->call.set_duration_seconds(125);
  a->call.set_billable_seconds(125);
  EXPECT_TRUE(registry.Updated(a, before, kT0));

  const v1::Metrics m = registry.Metrics("acme");
  EXPECT_EQ(m.total_calls(), 2);
  EXPECT_EQ(m.active_calls(), 1);
  EXPECT_EQ(m.billable_seconds(), 125);
  EXPECT_EQ(CountOf(m, v1::CALL_STATUS_COMPLETED), 1);
  EXPECT_EQ(CountOf(m, v1::CALL_STATUS_QUEUED), 1);
  EXPECT_EQ(registry.Metrics("globex").total_calls(), 1);

  // A later report fills the duration of an ended call: billable seconds follow.
  before = Counted::Of(a->call);
  a->call.set_duration_seconds(130);
  a->call.set_billable_seconds(130);
  EXPECT_TRUE(registry.Updated(a, before, kT0));
  EXPECT_EQ(registry.Metrics("acme").billable_seconds(), 130);
}

TEST(CallRegistryTest, EvictsEndedCallsAfterTheLingerButKeepsCounts) {
  CallRegistry registry({.terminal_linger = absl::Minutes(1), .max_lingering = 100});
  CallEntry* a = registry.Add(NewCall("call_a", "acme"), "");
  registry.Add(NewCall("call_b", "acme"), "");
  const Counted before = Counted::Of(a->call);
  a->call.set_status(v1::CALL_STATUS_BUSY);
  registry.Updated(a, before, kT0);
  registry.EvictExpired(kT0 + absl::Seconds(30));
  EXPECT_NE(registry.FindById("call_a"), nullptr);
  registry.EvictExpired(kT0 + absl::Minutes(2));
  EXPECT_EQ(registry.FindById("call_a"), nullptr);
  EXPECT_NE(registry.FindById("call_b"), nullptr);  // active calls never leave
  EXPECT_EQ(registry.Metrics("acme").total_calls(), 2);
}

// Audit finding 7: provider ids are indexed per tenant; another tenant's copy of an id never
// finds (or displaces) this tenant's call.
TEST(CallRegistryTest, ProviderIdsAreScopedByTenant) {
  CallRegistry registry({});
  CallEntry* victim = registry.Add(NewCall("call_a", "acme"), "");
  Counted before = Counted::Of(victim->call);
  victim->call.mutable_provider_ids()->set_call_sid("CA1");
  victim->call.mutable_provider_ids()->set_call_session_id("S1");
  registry.Updated(victim, before, kT0);
  CallEntry* other = registry.Add(NewCall("call_b", "globex"), "");
  before = Counted::Of(other->call);
  other->call.mutable_provider_ids()->set_call_sid("CA1");
  other->call.mutable_provider_ids()->set_call_session_id("S1");
  registry.Updated(other, before, kT0);

  EXPECT_EQ(registry.Find("acme", "CA1"), victim);
  EXPECT_EQ(registry.Find("globex", "CA1"), other);
  EXPECT_EQ(registry.Find("initech", "CA1"), nullptr);
  EXPECT_EQ(registry.Find("", "CA1"), nullptr);
  EXPECT_EQ(registry.Find("acme", "S1"), victim);
  EXPECT_EQ(registry.Session("acme", "S1"), std::vector<CallEntry*>{victim});
  // Call ids are global: the caller checks the tenant.
  EXPECT_EQ(registry.Find("globex", "call_a"), victim);
}

// Audit finding 1: an event's provider ids must be the call's own.
TEST(CallRegistryTest, CheckProviderIdsRefusesAnotherCallsIds) {
  CallRegistry registry({});
  CallEntry* a = registry.Add(NewCall("call_a", "acme"), "");
  Counted before = Counted::Of(a->call);
  a->call.mutable_provider_ids()->set_call_control_id("v3:a");
  a->call.mutable_provider_ids()->set_call_session_id("S1");
  registry.Updated(a, before, kT0);
  CallEntry* b = registry.Add(NewCall("call_b", "acme"), "");

  v1::ProviderIds own;
  own.set_call_control_id("v3:a");
  own.set_call_leg_id("leg-a");
  own.set_call_session_id("S1");
  EXPECT_TRUE(registry.CheckProviderIds(*a, own).ok());
  // b has no call_control_id yet, but a holds this one.
  const absl::Status taken = registry.CheckProviderIds(*b, own);
  EXPECT_EQ(taken.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(taken.message().find("call_control_id"), std::string::npos);
  v1::ProviderIds other;
  other.set_call_control_id("v3:b");
  EXPECT_EQ(registry.CheckProviderIds(*a, other).code(), absl::StatusCode::kInvalidArgument);
  v1::ProviderIds other_session;
  other_session.set_call_session_id("S2");
  EXPECT_EQ(registry.CheckProviderIds(*a, other_session).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(registry.CheckProviderIds(*b, other).ok());
  // Another tenant holding the same id is no conflict.
  CallEntry* c = registry.Add(NewCall("call_c", "globex"), "");
  EXPECT_TRUE(registry.CheckProviderIds(*c, own).ok());
}

}  // namespace
}  // namespace callcontrol::calls
