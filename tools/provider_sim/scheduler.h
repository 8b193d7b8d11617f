// One timer thread for the simulator: scenario steps and webhook retry back-offs run on it.
// Tasks must be short (take a lock, enqueue work) because they run one after another.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <thread>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"

namespace callcontrol::provider_sim {

// Runs tasks at steady-clock deadlines on its own thread. Thread-safe.
class Scheduler {
 public:
  using Clock = std::chrono::steady_clock;
  using TaskId = uint64_t;

  // Starts the timer thread.
  Scheduler();
  // Shutdown().
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Runs `task` on the timer thread at `when` (at once if `when` has passed); tasks due at the
  // same instant run in the order they were scheduled. Returns an id for Cancel, or 0 (task
  // dropped) after Shutdown.
  TaskId ScheduleAt(Clock::time_point when, std::function<void()> task);
  TaskId ScheduleAfter(Clock::duration delay, std::function<void()> task) {
    return ScheduleAt(Clock::now() + delay, std::move(task));
  }

  // Removes a task that has not started. Returns false if it ran, is running, or is unknown.
  bool Cancel(TaskId id);

  // Drops pending tasks, waits for a running one and joins the thread. Idempotent.
  void Shutdown();

  // Tasks waiting to run.
  size_t pending() const;

 private:
  void Run();

  mutable absl::Mutex mu_;
  absl::CondVar cv_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  TaskId next_id_ ABSL_GUARDED_BY(mu_) = 1;
  std::map<std::pair<Clock::time_point, TaskId>, std::function<void()>> queue_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<TaskId, Clock::time_point> due_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace callcontrol::provider_sim
