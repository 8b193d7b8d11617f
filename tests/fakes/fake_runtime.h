// The call domain's runtime seams (server/calls/runtime.h) for unit tests, all on the test's
// thread: a clock that moves only when told, one queue for every executor, and timers that fire
// when the clock passes them. Nothing runs until the test drains it, so a test decides exactly
// what happens when and never sleeps. Not thread-safe (the test thread only).
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <utility>

#include "absl/time/time.h"
#include "server/calls/runtime.h"

namespace callcontrol::testing {

class FakeClock : public calls::Clock {
 public:
  explicit FakeClock(absl::Time start) : now_(start) {}
  absl::Time Now() const override { return now_; }
  void Set(absl::Time now) { now_ = now; }

 private:
  absl::Time now_;
};

class FakeExecutor : public calls::Executor {
 public:
  void Post(std::function<void()> task) override { tasks_.push_back(std::move(task)); }
  // Runs the queued tasks, and the ones they post, until none is left. Returns how many ran.
  size_t RunAll() {
    size_t ran = 0;
    while (!tasks_.empty()) {
      auto task = std::move(tasks_.front());
      tasks_.pop_front();
      task();
      ++ran;
    }
    return ran;
  }
  size_t pending() const { return tasks_.size(); }

 private:
  std::deque<std::function<void()>> tasks_;
};

class FakeTimers : public calls::Timers {
 public:
  FakeTimers(FakeClock* clock, FakeExecutor* executor) : clock_(clock), executor_(executor) {}

  void RunAfter(absl::Duration delay, Callback callback) override {
    if (canceled_) {
      executor_->Post(
          [callback = std::move(callback)] { callback(absl::CancelledError("timers canceled")); });
      return;
    }
    pending_.emplace(clock_->Now() + std::max(delay, absl::ZeroDuration()), std::move(callback));
  }

  void CancelAll() override {
    canceled_ = true;
    auto pending = std::move(pending_);
    pending_.clear();
    for (auto& [when, callback] : pending) {
      executor_->Post(
          [callback = std::move(callback)] { callback(absl::CancelledError("timers canceled")); });
    }
  }

  // Fires the earliest timer due at or before `until`, moving the clock to its time. Returns
  // false when none is due.
  bool FireNext(absl::Time until) {
    if (pending_.empty() || pending_.begin()->first > until) return false;
    auto node = pending_.extract(pending_.begin());
    clock_->Set(std::max(clock_->Now(), node.key()));
    node.mapped()(absl::OkStatus());
    return true;
  }

  size_t pending() const { return pending_.size(); }
  // When the earliest timer fires (InfiniteFuture when none is pending).
  absl::Time next() const {
    return pending_.empty() ? absl::InfiniteFuture() : pending_.begin()->first;
  }

 private:
  FakeClock* const clock_;
  FakeExecutor* const executor_;
  std::multimap<absl::Time, Callback> pending_;  // ordered by due time, then by insertion
  bool canceled_ = false;
};

// One clock, one executor behind every CallRuntime executor, and the timers.
class FakeRuntime {
 public:
  FakeRuntime() : clock_(absl::FromUnixSeconds(1767225600)), timers_(&clock_, &executor_) {}

  calls::CallRuntime runtime() {
    return calls::CallRuntime{&clock_, &executor_, &executor_, &executor_, &executor_, &timers_};
  }
  FakeClock& clock() { return clock_; }
  FakeExecutor& executor() { return executor_; }
  FakeTimers& timers() { return timers_; }
  absl::Time now() const { return clock_.Now(); }

 private:
  FakeClock clock_;
  FakeExecutor executor_;
  FakeTimers timers_;
};

}  // namespace callcontrol::testing
