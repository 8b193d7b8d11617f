// The store on a full disk: a small tmpfs under the database (mounting needs root; the test is
// skipped otherwise). A commit that fails for lack of space is retried, never dropped, while
// writable() says so; reads go on; once space returns it commits and the change survives a
// reopen. No abort.
#include <sys/mount.h>

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <memory>
#include <string>

#include "callcontrol/v1/call_control_service.pb.h"
#include "server/calls/call_state_machine.h"
#include "server/store/store.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"
#include "tests/testing/wait.h"

namespace callcontrol::store {
namespace {

using ::callcontrol::testing::IsOk;

Mutation BigCall(int i) {
  v1::Call call;
  call.set_call_id("call_" + std::string(20, '0') + std::to_string(100000000000 + i));
  call.set_tenant_id("acme");
  call.set_status(v1::CALL_STATUS_RINGING);
  call.set_error_message(std::string(32 * 1024, 'x'));  // fills the disk quickly
  calls::SetTimestamp(absl::FromUnixSeconds(1700000000 + i), call.mutable_create_time());
  Mutation m;
  CallRow& row = m.call.emplace();
  row.call_id = call.call_id();
  row.tenant_id = call.tenant_id();
  row.status = call.status();
  row.create_time_us = 1700000000000000 + i;
  row.update_time_us = row.create_time_us;
  call.SerializeToString(&row.data);
  v1::StreamEventsResponse wire;
  wire.add_events()->set_sequence(i);
  m.events.push_back(EventRow{i, call.tenant_id(), wire.SerializeAsString()});
  return m;
}

class StoreDiskFullTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (mount("tmpfs", dir_.path().c_str(), "tmpfs", 0, "size=512k") != 0) {
      GTEST_SKIP() << "mounting a tmpfs needs root";
    }
    mounted_ = true;
  }
  void TearDown() override {
    if (mounted_) umount2(dir_.path().c_str(), MNT_DETACH);
  }
  bool Grow(const char* size) {
    return mount("tmpfs", dir_.path().c_str(), "tmpfs", MS_REMOUNT, size) == 0;
  }

  callcontrol::testing::TempDir dir_;
  bool mounted_ = false;
};

TEST_F(StoreDiskFullTest, AFullDiskStallsCommitsWithoutLossAndRecoversWhenSpaceReturns) {
  auto store = Store::Open(dir_.File("calls.db"), {.checkpoint_interval = std::chrono::hours(1)});
  ASSERT_THAT(store, IsOk());
  ASSERT_THAT((*store)->Load(), IsOk());

  // Commit calls until one cannot be: the disk is full.
  std::shared_ptr<std::promise<absl::Status>> stalled;
  int committed = 0;
  for (int i = 1; i <= 200 && stalled == nullptr; ++i) {
    auto done = std::make_shared<std::promise<absl::Status>>();
    std::future<absl::Status> result = done->get_future();
    (*store)->Submit(BigCall(i), [done](absl::Status s) { done->set_value(s); });
    if (result.wait_for(std::chrono::seconds(2)) == std::future_status::ready) {
      ASSERT_THAT(result.get(), IsOk());
      committed = i;
    } else {
      stalled = done;
      ASSERT_TRUE(testing::WaitFor([&] { return !(*store)->writable(); }, std::chrono::seconds(5),
                                   "the store to say it is not writable"));
      // Still stalled, not dropped: the same change is retried, not answered.
      EXPECT_EQ(result.wait_for(std::chrono::milliseconds(300)), std::future_status::timeout);
      // Reads go on.
      auto first = (*store)->FindCall("", BigCall(1).call->call_id);
      ASSERT_THAT(first, IsOk());
      EXPECT_TRUE(first->has_value());
      // Space returns: the change commits, and the store is writable again.
      ASSERT_TRUE(Grow("size=16m"));
      ASSERT_EQ(result.wait_for(std::chrono::seconds(10)), std::future_status::ready);
      EXPECT_THAT(result.get(), IsOk());
      committed = i;
    }
  }
  ASSERT_NE(stalled, nullptr) << "the disk never filled";
  EXPECT_TRUE((*store)->writable());
  store->reset();

  auto reopened = Store::Open(dir_.File("calls.db"), {});
  ASSERT_THAT(reopened, IsOk());
  auto state = (*reopened)->Load();
  ASSERT_THAT(state, IsOk());
  EXPECT_EQ(state->active_calls.size(), static_cast<size_t>(committed));
  EXPECT_EQ(state->last_sequence, committed);
}

}  // namespace
}  // namespace callcontrol::store
