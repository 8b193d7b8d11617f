// Retries of provider requests that failed transiently: a request runs on a provider worker;
// while it answers kUnavailable (5xx, 429, timeout) it runs again after a backoff that doubles
// per attempt, waited on a timer of the call domain's Timers (no worker sleeps, and shutdown's
// CancelAll stops the waiting). Thread-safe.
#pragma once

#include <functional>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "server/calls/runtime.h"

namespace callcontrol::calls {

struct RetryPolicy {
  int attempts = 4;                                  // in all, the first included
  absl::Duration backoff = absl::Milliseconds(200);  // before the second; doubles
};

// Runs `attempt` on `workers` under `policy`; `done` (on a worker or timer thread) gets the last
// attempt's outcome, or kCancelled when the timers were canceled (shutdown) before an attempt
// that was due. `workers` and `timers` must outlive the retries.
void RunWithRetries(Executor* workers, Timers* timers, const RetryPolicy& policy,
                    std::function<absl::Status()> attempt, std::function<void(absl::Status)> done);

}  // namespace callcontrol::calls
