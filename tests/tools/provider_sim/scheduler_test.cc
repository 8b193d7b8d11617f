// provider-sim's timer thread: deadline order, cancellation, shutdown.
#include "tools/provider_sim/scheduler.h"

#include <atomic>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/tools/provider_sim/sim_test_fixture.h"

namespace callcontrol::provider_sim::testing {
namespace {

TEST(SchedulerTest, RunsTasksInDeadlineOrderAndCancelsPendingOnes) {
  Scheduler scheduler;
  absl::Mutex mu;
  std::vector<int> ran;
  auto record = [&](int v) {
    return [&, v] {
      absl::MutexLock lock(&mu);
      ran.push_back(v);
    };
  };
  const auto now = Scheduler::Clock::now();
  scheduler.ScheduleAt(now + std::chrono::milliseconds(30), record(3));
  scheduler.ScheduleAt(now + std::chrono::milliseconds(10), record(1));
  const auto cancelled = scheduler.ScheduleAt(now + std::chrono::milliseconds(20), record(2));
  scheduler.ScheduleAt(now + std::chrono::milliseconds(30), record(4));
  EXPECT_TRUE(scheduler.Cancel(cancelled));
  EXPECT_FALSE(scheduler.Cancel(cancelled));
  ASSERT_TRUE(WaitFor(
      [&] {
        absl::MutexLock lock(&mu);
        return ran.size() == 3;
      },
      std::chrono::seconds(2), "3 tasks"));
  absl::MutexLock lock(&mu);
  EXPECT_THAT(ran, ::testing::ElementsAre(1, 3, 4));
}

TEST(SchedulerTest, ShutdownDropsPendingTasks) {
  std::atomic<int> runs{0};
  Scheduler scheduler;
  scheduler.ScheduleAfter(std::chrono::seconds(60), [&] { ++runs; });
  EXPECT_EQ(scheduler.pending(), 1u);
  scheduler.Shutdown();
  EXPECT_EQ(scheduler.pending(), 0u);
  EXPECT_EQ(scheduler.ScheduleAfter(std::chrono::milliseconds(0), [&] { ++runs; }), 0u);
  EXPECT_EQ(runs.load(), 0);
}

}  // namespace
}  // namespace callcontrol::provider_sim::testing
