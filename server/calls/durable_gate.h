// Holds answers until the change they show is durable ("durable before acknowledged" for reads):
// every change of a call gets the next event sequence, and a read of a call copied at sequence S
// is answered only once the commit holding S is on disk, so nobody sees a change a crash could
// still lose.
//
// One signal per commit: the store's commit listener calls MarkDurable with the commit's last
// sequence, on the store's writer thread. That only advances a counter and, when answers wait,
// posts their release to `answers` (no lock taken, nothing blocks on the writer thread). Reads
// arriving later pass at once. Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "server/calls/runtime.h"

namespace callcontrol::calls {

class DurableGate {
 public:
  // OK once the awaited sequence is durable; kUnavailable if it never will be (shutdown).
  using Answer = std::function<void(absl::Status)>;

  // `answers` (which must outlive the gate, and run tasks until the store is closed) runs the
  // release of waiting answers.
  explicit DurableGate(Executor* answers) : answers_(answers) {}
  // Answers what still waits with kUnavailable: a change the store refused (it was closing).
  ~DurableGate();

  // Every sequence up to `sequence` is durable (the loaded log at startup). Call before serving.
  void Reset(int64_t sequence);

  // The commit whose last event is `sequence` is on disk; commits complete in sequence order.
  void MarkDurable(int64_t sequence);

  // Runs `answer` with OK at once, on the caller's thread, when `sequence` is durable; else
  // keeps it until then and runs it on `answers`. Never call with a lock `answer` takes.
  void AfterDurable(int64_t sequence, Answer answer);

  // AfterDurable for an answer computed now from state as of `sequence`.
  template <typename T>
  void AnswerWhenDurable(int64_t sequence, absl::StatusOr<T> result,
                         std::function<void(absl::StatusOr<T>)> done) {
    AfterDurable(sequence, [result = std::move(result),
                            done = std::move(done)](absl::Status durable) mutable {
      if (!durable.ok()) return done(durable);
      done(std::move(result));
    });
  }

  int64_t durable_sequence() const { return durable_.load(std::memory_order_acquire); }

 private:
  // Answers the waiters that MarkDurable made durable, in sequence order.
  void Release();

  Executor* const answers_;
  // Highest sequence known durable; every lower one is too.
  std::atomic<int64_t> durable_{0};
  // Set (before the re-check) by a waiter that may have to wait; MarkDurable posts a release
  // only when it is set, so a commit with nobody waiting costs one load.
  std::atomic<bool> waiting_{false};
  absl::Mutex mu_;
  std::multimap<int64_t, Answer> waiters_ ABSL_GUARDED_BY(mu_);
};

}  // namespace callcontrol::calls
