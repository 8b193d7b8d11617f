// Voice samples in their own file (server/store/sample_db.h): stored and loaded through the
// Store, moved out of an older database, never in the way of call commits, and bounded in what
// waits for the writer.
#include "server/store/sample_db.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <future>

#include "tests/server/store/store_rows.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace callcontrol::store {
namespace {

using ::callcontrol::testing::IsOk;

SampleRow Sample(const std::string& caller, size_t bytes, int64_t time_us = 1) {
  SampleRow row;
  row.tenant_id = "acme";
  row.caller_number = caller;
  row.content_type = "audio/wav";
  row.audio = std::string(bytes, 'a');
  row.update_time_us = time_us;
  return row;
}

Mutation SampleMutation(SampleRow row) {
  Mutation m;
  m.sample = std::move(row);
  return m;
}

TEST(SamplesPathForTest, SitsBesideTheDatabase) {
  EXPECT_EQ(SamplesPathFor("/var/lib/callcontrol/callcontrol.db"),
            "/var/lib/callcontrol/callcontrol-samples.db");
  EXPECT_EQ(SamplesPathFor("data/calls.sqlite"), "data/calls.sqlite-samples");
  EXPECT_EQ(SamplesPathFor(".db"), ".db-samples");
}

class SampleDbTest : public ::testing::Test {
 protected:
  std::unique_ptr<Store> Open() {
    auto store = Store::Open(dir_.File("calls.db"), {});
    EXPECT_THAT(store, IsOk());
    return store.ok() ? *std::move(store) : nullptr;
  }
  callcontrol::testing::TempDir dir_;
};

TEST_F(SampleDbTest, ASampleIsStoredInItsOwnFileAndLoadedAfterARestart) {
  {
    auto store = Open();
    ASSERT_THAT(store->Load(), IsOk());
    ASSERT_THAT(SubmitAndWait(*store, SampleMutation(Sample("+14155550100", 5000))), IsOk());
    ASSERT_THAT(SubmitAndWait(*store, SampleMutation(Sample("+14155550100", 7000, 2))), IsOk());
  }
  EXPECT_TRUE(std::filesystem::exists(dir_.File("calls-samples.db")));
  auto store = Open();
  auto state = store->Load();
  ASSERT_THAT(state, IsOk());
  ASSERT_EQ(state->sample_sizes.size(), 1u);  // replaced, not added
  EXPECT_EQ(state->sample_sizes[0].bytes, 7000);
  auto read = store->ReadSample("acme", "+14155550100");
  ASSERT_THAT(read, IsOk());
  ASSERT_TRUE(read->has_value());
  EXPECT_EQ((*read)->audio.size(), 7000u);
  EXPECT_EQ((*read)->update_time_us, 2);
  EXPECT_EQ(*store->ReadSample("globex", "+14155550100"), std::nullopt);
  // The database of calls holds none.
  SQLite::Database calls(dir_.File("calls.db"), SQLite::OPEN_READONLY);
  EXPECT_EQ(calls.execAndGet("SELECT COUNT(*) FROM voice_samples").getInt(), 0);
}

TEST_F(SampleDbTest, SamplesAnOlderBuildKeptInTheDatabaseAreMovedOut) {
  {
    auto store = Open();  // creates the schema, voice_samples included
  }
  std::filesystem::remove(dir_.File("calls-samples.db"));
  {
    SQLite::Database calls(dir_.File("calls.db"), SQLite::OPEN_READWRITE);
    calls.exec(
        "INSERT INTO voice_samples VALUES('acme', '+14155550100', 'audio/wav', "
        "zeroblob(3000), 5)");
  }
  auto store = Open();
  auto state = store->Load();
  ASSERT_THAT(state, IsOk());
  ASSERT_EQ(state->sample_sizes.size(), 1u);
  EXPECT_EQ(state->sample_sizes[0].bytes, 3000);
  auto read = store->ReadSample("acme", "+14155550100");
  ASSERT_THAT(read, IsOk());
  ASSERT_TRUE(read->has_value());
  EXPECT_EQ((*read)->update_time_us, 5);
  SQLite::Database calls(dir_.File("calls.db"), SQLite::OPEN_READONLY);
  EXPECT_EQ(calls.execAndGet("SELECT COUNT(*) FROM voice_samples").getInt(), 0);
}

TEST_F(SampleDbTest, AStalledSampleWriteDoesNotHoldUpCallCommits) {
  auto store = Open();
  ASSERT_THAT(store->Load(), IsOk());
  // Another connection holds the sample file's write lock: the sample cannot commit.
  SQLite::Database blocker(dir_.File("calls-samples.db"), SQLite::OPEN_READWRITE);
  blocker.exec("BEGIN IMMEDIATE");
  std::promise<absl::Status> sample_done;
  store->Submit(SampleMutation(Sample("+14155550100", 1 << 20)),
                [&](absl::Status s) { sample_done.set_value(s); });
  // Calls and events commit meanwhile.
  ASSERT_THAT(SubmitAndWait(*store, MutationFor(MakeCall(1, v1::CALL_STATUS_RINGING, 10), 1)),
              IsOk());
  auto sample_result = sample_done.get_future();
  EXPECT_EQ(sample_result.wait_for(std::chrono::milliseconds(100)), std::future_status::timeout);
  blocker.exec("ROLLBACK");
  // The sample is retried until it commits, never dropped.
  ASSERT_EQ(sample_result.wait_for(std::chrono::seconds(30)), std::future_status::ready);
  EXPECT_THAT(sample_result.get(), IsOk());
  EXPECT_TRUE(store->writable());
}

TEST_F(SampleDbTest, SamplesWaitingForTheWriterAreBoundedInBytes) {
  auto db = SampleDb::Open(dir_.File("only-samples.db"));
  ASSERT_THAT(db, IsOk());
  SQLite::Database blocker(dir_.File("only-samples.db"), SQLite::OPEN_READWRITE);
  blocker.exec("BEGIN IMMEDIATE");
  constexpr size_t kTen = size_t{10} << 20;
  std::vector<std::future<absl::Status>> results;
  std::vector<std::shared_ptr<std::promise<absl::Status>>> promises;
  for (int i = 0; i < 7; ++i) {
    auto done = std::make_shared<std::promise<absl::Status>>();
    results.push_back(done->get_future());
    (*db)->Put(Sample("+1415555010" + std::to_string(i), kTen),
               [done](absl::Status s) { done->set_value(s); });
    promises.push_back(done);
  }
  // Six (60 MiB, the one the writer holds included) wait; the seventh would pass 64 MiB and is
  // refused at once.
  ASSERT_EQ(results[6].wait_for(std::chrono::seconds(5)), std::future_status::ready);
  const absl::Status refused = results[6].get();
  EXPECT_TRUE(absl::IsResourceExhausted(refused)) << refused;
  blocker.exec("ROLLBACK");
  for (int i = 0; i < 6; ++i) {
    ASSERT_EQ(results[static_cast<size_t>(i)].wait_for(std::chrono::seconds(30)),
              std::future_status::ready);
    EXPECT_THAT(results[static_cast<size_t>(i)].get(), IsOk()) << i;
  }
  auto sizes = (*db)->Sizes();
  ASSERT_THAT(sizes, IsOk());
  EXPECT_EQ(sizes->size(), 6u);
}

}  // namespace
}  // namespace callcontrol::store
