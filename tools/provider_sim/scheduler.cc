#include "tools/provider_sim/scheduler.h"

#include "absl/time/time.h"

namespace callcontrol::provider_sim {

Scheduler::Scheduler() : thread_([this] { Run(); }) {}

Scheduler::~Scheduler() { Shutdown(); }

Scheduler::TaskId Scheduler::ScheduleAt(Clock::time_point when, std::function<void()> task) {
  absl::MutexLock lock(&mu_);
  if (stopping_) return 0;
  const TaskId id = next_id_++;
  const bool new_earliest = queue_.empty() || when < queue_.begin()->first.first;
  queue_.emplace(std::make_pair(when, id), std::move(task));
  due_.emplace(id, when);
  if (new_earliest) cv_.Signal();
  return id;
}

bool Scheduler::Cancel(TaskId id) {
  absl::MutexLock lock(&mu_);
  auto it = due_.find(id);
  if (it == due_.end()) return false;
  queue_.erase(std::make_pair(it->second, id));
  due_.erase(it);
  return true;
}

size_t Scheduler::pending() const {
  absl::MutexLock lock(&mu_);
  return queue_.size();
}

void Scheduler::Shutdown() {
  {
    absl::MutexLock lock(&mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
    queue_.clear();
    due_.clear();
    cv_.SignalAll();
  }
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void Scheduler::Run() {
  absl::MutexLock lock(&mu_);
  while (!stopping_) {
    if (queue_.empty()) {
      cv_.Wait(&mu_);
      continue;
    }
    auto first = queue_.begin();
    const Clock::time_point now = Clock::now();
    if (first->first.first > now) {
      cv_.WaitWithTimeout(&mu_, absl::FromChrono(first->first.first - now));
      continue;
    }
    std::function<void()> task = std::move(first->second);
    due_.erase(first->first.second);
    queue_.erase(first);
    mu_.Unlock();
    task();
    mu_.Lock();
  }
}

}  // namespace callcontrol::provider_sim
