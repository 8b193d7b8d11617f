// The call domain's seams to time and threads, so CallManager and its parts run the same code
// in the daemon (asio thread pools, the system clock: asio_runtime.h) and in unit tests (a fake
// clock and queues the test drains: tests/fakes/fake_runtime.h).
#pragma once

#include <functional>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace callcontrol::calls {

// Wall-clock time as the call domain sees it (timestamps, deadlines, eviction).
class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
};

// absl::Now().
const Clock& SystemClock();

// Runs tasks on threads of its own, never on the caller's.
class Executor {
 public:
  virtual ~Executor() = default;
  virtual void Post(std::function<void()> task) = 0;
};

// Owns every timer of the call domain (provider retries, clone deadlines and retries, metrics
// coalescing), so that one CancelAll() at shutdown stops them all.
class Timers {
 public:
  // OK when the delay passed; kCancelled when CancelAll() ran first (or had run already).
  using Callback = std::function<void(absl::Status)>;
  virtual ~Timers() = default;

  // Runs `callback` once, after `delay` (<= 0: as soon as possible), on a thread of the timers'
  // own, never on the caller's: a caller may hold its lock. Thread-safe.
  virtual void RunAfter(absl::Duration delay, Callback callback) = 0;

  // Cancels every pending timer (their callbacks run with kCancelled) and every later one.
  // Idempotent; thread-safe.
  virtual void CancelAll() = 0;
};

}  // namespace callcontrol::calls

namespace callcontrol::calls {

// Where the call domain's work runs, and its clock. Every pointer must outlive the user.
struct CallRuntime {
  const Clock* clock = &SystemClock();
  Executor* readers = nullptr;           // store reads (blocking)
  Executor* provider_workers = nullptr;  // provider REST requests (blocking)
  Executor* clone_workers = nullptr;     // voice-clone uploads (blocking, up to seconds)
  Executor* durable_answers = nullptr;   // answers released by a commit (DurableGate)
  Timers* timers = nullptr;              // every retry, deadline and coalescing timer
};

}  // namespace callcontrol::calls
