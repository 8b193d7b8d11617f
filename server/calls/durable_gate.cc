#include "server/calls/durable_gate.h"

#include <utility>
#include <vector>

namespace callcontrol::calls {

DurableGate::~DurableGate() {
  std::multimap<int64_t, Answer> left;
  {
    absl::MutexLock lock(&mu_);
    left.swap(waiters_);
  }
  for (auto& [sequence, answer] : left) {
    answer(absl::UnavailableError("callcontrold stopped before the change was recorded"));
  }
}

void DurableGate::Reset(int64_t sequence) { durable_.store(sequence, std::memory_order_seq_cst); }

void DurableGate::MarkDurable(int64_t sequence) {
  int64_t known = durable_.load(std::memory_order_seq_cst);
  while (known < sequence && !durable_.compare_exchange_weak(known, sequence)) {
  }
  // Paired with AfterDurable (both sequentially consistent): either the waiter's re-check sees
  // the new sequence, or this load sees its flag.
  if (waiting_.load(std::memory_order_seq_cst)) answers_->Post([this] { Release(); });
}

void DurableGate::AfterDurable(int64_t sequence, Answer answer) {
  if (sequence > durable_.load(std::memory_order_acquire)) {
    absl::MutexLock lock(&mu_);
    waiting_.store(true, std::memory_order_seq_cst);
    if (sequence > durable_.load(std::memory_order_seq_cst)) {
      waiters_.emplace(sequence, std::move(answer));
      return;
    }
  }
  answer(absl::OkStatus());
}

void DurableGate::Release() {
  std::vector<Answer> ready;
  {
    absl::MutexLock lock(&mu_);
    const auto end = waiters_.upper_bound(durable_.load(std::memory_order_seq_cst));
    for (auto it = waiters_.begin(); it != end; ++it) ready.push_back(std::move(it->second));
    waiters_.erase(waiters_.begin(), end);
    if (waiters_.empty()) waiting_.store(false, std::memory_order_seq_cst);
  }
  for (Answer& answer : ready) answer(absl::OkStatus());
}

}  // namespace callcontrol::calls
