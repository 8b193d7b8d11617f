#include "server/store/store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <future>
#include <string>
#include <vector>

#include <SQLiteCpp/SQLiteCpp.h>

#include "callcontrol/v1/call_control_service.pb.h"
#include "server/calls/call_state_machine.h"
#include "server/store/schema.h"
#include "tests/server/store/store_rows.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace callcontrol::store {
namespace {

using ::callcontrol::testing::IsOk;

class StoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<Store> Open(Store::Options options = {}) {
    auto store = Store::Open(dir_.File("calls.db"), options);
    EXPECT_THAT(store, IsOk());
    return store.ok() ? *std::move(store) : nullptr;
  }
  callcontrol::testing::TempDir dir_;
};

TEST_F(StoreTest, CommittedChangesSurviveARestart) {
  {
    auto store = Open();
    ASSERT_THAT(store->Load(), IsOk());
    ASSERT_THAT(SubmitAndWait(*store, MutationFor(MakeCall(1, v1::CALL_STATUS_RINGING, 10), 1)),
                IsOk());
    v1::Call done = MakeCall(2, v1::CALL_STATUS_COMPLETED, 20);
    done.set_duration_seconds(49);
    ASSERT_THAT(SubmitAndWait(*store, MutationFor(done, 2)), IsOk());
  }
  auto store = Open();
  auto state = store->Load();
  ASSERT_THAT(state, IsOk());
  ASSERT_EQ(state->active_calls.size(), 1u);  // only the ringing call is loaded
  EXPECT_EQ(state->active_calls[0].status(), v1::CALL_STATUS_RINGING);
  EXPECT_EQ(state->last_sequence, 2);
  EXPECT_EQ(state->oldest_sequence, 1);
  int64_t completed_seconds = 0;
  for (const auto& c : state->counts) {
    if (c.status == v1::CALL_STATUS_COMPLETED) completed_seconds = c.duration_seconds;
  }
  EXPECT_EQ(completed_seconds, 49);
  auto found = store->FindCall("acme", "CA1002");  // by CallSid
  ASSERT_THAT(found, IsOk());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->status(), v1::CALL_STATUS_COMPLETED);
}

TEST_F(StoreTest, UpsertReplacesTheCallRow) {
  auto store = Open();
  v1::Call c = MakeCall(1, v1::CALL_STATUS_RINGING, 10);
  ASSERT_THAT(SubmitAndWait(*store, MutationFor(c, 1)), IsOk());
  c.set_status(v1::CALL_STATUS_IN_PROGRESS);
  ASSERT_THAT(SubmitAndWait(*store, MutationFor(c, 2)), IsOk());
  auto found = store->FindCall("", c.call_id());
  ASSERT_THAT(found, IsOk());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->status(), v1::CALL_STATUS_IN_PROGRESS);
}

// Audit finding 7: a provider id finds only its own tenant's call, even when another tenant's
// call carries the same id.
TEST_F(StoreTest, ProviderIdsFindOnlyTheirTenantsCall) {
  auto store = Open();
  const v1::Call victim = MakeCall(1, v1::CALL_STATUS_RINGING, 10);
  v1::Call copy = MakeCall(2, v1::CALL_STATUS_RINGING, 20);
  copy.set_tenant_id("globex");
  copy.mutable_provider_ids()->set_call_sid(victim.provider_ids().call_sid());
  ASSERT_THAT(SubmitAndWait(*store, MutationFor(victim, 1)), IsOk());
  ASSERT_THAT(SubmitAndWait(*store, MutationFor(copy, 2)), IsOk());
  for (const auto& [tenant, want] :
       {std::pair{"acme", victim.call_id()}, {"globex", copy.call_id()}}) {
    auto found = store->FindCall(tenant, victim.provider_ids().call_sid());
    ASSERT_THAT(found, IsOk());
    ASSERT_TRUE(found->has_value()) << tenant;
    EXPECT_EQ((*found)->call_id(), want) << tenant;
  }
  auto none = store->FindCall("initech", victim.provider_ids().call_sid());
  ASSERT_THAT(none, IsOk());
  EXPECT_FALSE(none->has_value());
  none = store->FindCall("", victim.provider_ids().call_sid());
  ASSERT_THAT(none, IsOk());
  EXPECT_FALSE(none->has_value());
}

// A provider id not in memory is looked up by its alias first: a plan that starts from the
// tenant's calls reads every one of them to find an alias that is not there (each unknown
// CallSid cost time in proportion to the tenant's history).
TEST_F(StoreTest, ProviderIdLookupStartsFromTheAliasIndex) {
  ASSERT_NE(Open(), nullptr);  // creates the schema
  SQLite::Database db(dir_.File("calls.db"), SQLite::OPEN_READONLY);
  SQLite::Statement plan(db, std::string("EXPLAIN QUERY PLAN ") + kFindCallByAlias);
  plan.bind(1, "CA0123");
  plan.bind(2, "acme");
  std::vector<std::string> steps;
  while (plan.executeStep()) steps.push_back(plan.getColumn(3).getString());
  ASSERT_FALSE(steps.empty());
  EXPECT_EQ(steps.front(), "SEARCH a USING PRIMARY KEY (alias=?)");
  for (const std::string& step : steps)
    EXPECT_THAT(step, ::testing::Not(::testing::HasSubstr("calls_by_tenant")));
}

TEST_F(StoreTest, FindsCallsByIdempotencyKeyPerTenant) {
  auto store = Open();
  ASSERT_THAT(SubmitAndWait(*store, MutationFor(MakeCall(1, v1::CALL_STATUS_QUEUED, 10), 1, "k")),
              IsOk());
  auto found = store->FindByIdempotencyKey("acme", "k");
  ASSERT_THAT(found, IsOk());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->second, "hash-k");
  auto other = store->FindByIdempotencyKey("globex", "k");
  ASSERT_THAT(other, IsOk());
  EXPECT_FALSE(other->has_value());
}

TEST_F(StoreTest, ListsNewestFirstWithFiltersAndPaging) {
  auto store = Open();
  for (int i = 0; i < 7; ++i) {
    const auto status = i % 2 == 0 ? v1::CALL_STATUS_COMPLETED : v1::CALL_STATUS_BUSY;
    ASSERT_THAT(SubmitAndWait(*store, MutationFor(MakeCall(i, status, 100 + i), i + 1)), IsOk());
  }
  ListQuery q;
  q.tenant_id = "acme";
  q.limit = 3;
  auto page1 = store->ListCalls(q);
  ASSERT_THAT(page1, IsOk());
  ASSERT_EQ(page1->size(), 3u);
  EXPECT_EQ(calls::FromTimestamp((*page1)[0].create_time()), absl::FromUnixMicros(106));
  q.after_create_us = 104;
  q.after_call_id = (*page1)[2].call_id();
  auto page2 = store->ListCalls(q);
  ASSERT_THAT(page2, IsOk());
  ASSERT_EQ(page2->size(), 3u);
  EXPECT_EQ(calls::FromTimestamp((*page2)[0].create_time()), absl::FromUnixMicros(103));

  ListQuery busy;
  busy.tenant_id = "acme";
  busy.status_mask = 1u << v1::CALL_STATUS_BUSY;
  busy.start_us = 102;
  auto filtered = store->ListCalls(busy);
  ASSERT_THAT(filtered, IsOk());
  ASSERT_EQ(filtered->size(), 2u);  // calls 3 and 5
  for (const auto& c : *filtered) EXPECT_EQ(c.status(), v1::CALL_STATUS_BUSY);
}

TEST_F(StoreTest, ReadsEventsInRangeForOneTenant) {
  auto store = Open();
  for (int i = 1; i <= 5; ++i) {
    ASSERT_THAT(SubmitAndWait(*store, MutationFor(MakeCall(i, v1::CALL_STATUS_RINGING, i), i)),
                IsOk());
  }
  auto events = store->ReadEvents("acme", 1, 4, 100);
  ASSERT_THAT(events, IsOk());
  ASSERT_EQ(events->size(), 3u);
  EXPECT_EQ((*events)[0].sequence, 2);
  EXPECT_EQ((*events)[2].sequence, 4);
  auto none = store->ReadEvents("globex", 0, 100, 100);
  ASSERT_THAT(none, IsOk());
  EXPECT_TRUE(none->empty());
}

TEST_F(StoreTest, GroupCommitsConcurrentSubmissionsInOrder) {
  auto store = Open();
  std::vector<const EventRow*> seen;
  std::vector<int64_t> sequences;
  store->SetCommitListener([&](const std::vector<const EventRow*>& events) {
    for (const auto* e : events) sequences.push_back(e->sequence);
  });
  std::vector<std::future<absl::Status>> futures;
  std::vector<std::shared_ptr<std::promise<absl::Status>>> promises;
  for (int i = 1; i <= 500; ++i) {
    auto p = std::make_shared<std::promise<absl::Status>>();
    futures.push_back(p->get_future());
    store->Submit(MutationFor(MakeCall(i, v1::CALL_STATUS_RINGING, i), i),
                  [p](absl::Status s) { p->set_value(s); });
    promises.push_back(p);
  }
  for (auto& f : futures) ASSERT_THAT(f.get(), IsOk());
  ASSERT_EQ(sequences.size(), 500u);
  for (size_t i = 0; i < sequences.size(); ++i)
    EXPECT_EQ(sequences[i], static_cast<int64_t>(i + 1));
}

TEST_F(StoreTest, PrunesEventsBeyondTheRetention) {
  Store::Options options;
  options.event_retention = 100;
  auto store = Open(options);
  // Pruning runs every 256 commits; submit one by one so each is its own commit.
  for (int i = 1; i <= 300; ++i) {
    ASSERT_THAT(SubmitAndWait(*store, MutationFor(MakeCall(i, v1::CALL_STATUS_RINGING, i), i)),
                IsOk());
  }
  EXPECT_EQ(store->oldest_sequence(), 157);  // pruned at sequence 256: keeps 157..256
  auto events = store->ReadEvents("acme", 0, 1000, 1000);
  ASSERT_THAT(events, IsOk());
  EXPECT_EQ(events->front().sequence, 157);
}

TEST_F(StoreTest, RefusesADatabaseFromANewerSchema) {
  { auto store = Open(); }
  {
    auto raw = Store::Open(dir_.File("calls.db"), {});
    ASSERT_THAT(raw, IsOk());
  }
  // Bump the schema version behind the store's back.
  {
    std::string cmd = "sqlite3 " + dir_.File("calls.db") + " 'PRAGMA user_version=99'";
    ASSERT_EQ(std::system(cmd.c_str()), 0);
  }
  auto store = Store::Open(dir_.File("calls.db"), {});
  EXPECT_THAT(store, callcontrol::testing::StatusIs(absl::StatusCode::kFailedPrecondition));
}

// Overwrites the root page of the calls_by_idempotency_key index (which Load never reads) with
// garbage, through the sqlite3 shell and dd.
void DamageIdempotencyIndex(const std::string& path) {
  const std::string cmd =
      "page=$(sqlite3 " + path +
      " \"SELECT rootpage FROM sqlite_schema WHERE name = 'calls_by_idempotency_key'\") && "
      "size=$(sqlite3 " +
      path + " 'PRAGMA page_size') && " + "head -c $size /dev/urandom | dd of=" + path +
      " bs=$size seek=$((page - 1)) conv=notrunc status=none";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
}

TEST_F(StoreTest, RefusesADamagedDatabaseNamingTheFile) {
  { auto store = Open(); }
  ASSERT_NO_FATAL_FAILURE(DamageIdempotencyIndex(dir_.File("calls.db")));
  auto store = Store::Open(dir_.File("calls.db"), {});
  ASSERT_THAT(store, callcontrol::testing::StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(std::string(store.status().message()),
              ::testing::AllOf(::testing::HasSubstr("database " + dir_.File("calls.db") +
                                                    " is corrupt or not a callcontrol database"),
                               ::testing::HasSubstr("quick_check"),
                               ::testing::HasSubstr("restore it from a backup")));
}

TEST_F(StoreTest, DatabaseOverTheQuickCheckSizeStartsUnchecked) {
  { auto store = Open(); }
  ASSERT_NO_FATAL_FAILURE(DamageIdempotencyIndex(dir_.File("calls.db")));
  Store::Options options;
  options.quick_check_max_bytes = 0;  // every database is "large"
  auto store = Store::Open(dir_.File("calls.db"), options);
  EXPECT_THAT(store, IsOk());
}

TEST_F(StoreTest, RefusesAnotherApplicationsDatabase) {
  const std::string cmd =
      "sqlite3 " + dir_.File("calls.db") + " 'CREATE TABLE notes(id INTEGER PRIMARY KEY)'";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  auto store = Store::Open(dir_.File("calls.db"), {});
  ASSERT_THAT(store, callcontrol::testing::StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(std::string(store.status().message()),
              ::testing::HasSubstr("no callcontrol schema version"));
}

}  // namespace
}  // namespace callcontrol::store
