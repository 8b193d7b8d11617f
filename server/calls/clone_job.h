// The voice-clone job of an inbound call (callcontrol.v1.CloneJob) as a pure state machine: how
// a job starts, moves, ends, when an attempt is retried and what the caller gets next. No I/O,
// no clock of its own (every function takes `now`), so each rule is tested on its own
// (tests/server/calls/clone_job_test.cc); CallManager carries the decisions out.
//
// States: PENDING -> PROCESSING (an attempt runs) -> COMPLETED | FAILED | TIMED_OUT, or
// CANCELED when the caller hangs up first. The end states absorb every later move.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "callcontrol/internal/v1/provider_event_service.pb.h"
#include "callcontrol/v1/call.pb.h"
#include "common/config/config.h"

namespace callcontrol::calls {

bool IsCloneTerminal(v1::CloneState state);

// A PENDING job created at `now` whose deadline is `now + max_wait`.
v1::CloneJob NewCloneJob(absl::Time now, absl::Duration max_wait);

// Moves `job` to `state` at `now`, setting voice_id / error when given and end_time for an end
// state. Returns false, changing nothing, when the job already ended.
bool MoveCloneJob(v1::CloneJob* job, v1::CloneState state, absl::Time now,
                  const std::string& voice_id = "", const std::string& error = "");

// Cancels the running job of a call that has just ended (the caller hung up). Returns whether
// the job changed.
bool CancelCloneIfCallEnded(v1::Call* call, absl::Time now);

// What to do after one voice-clone request of a job (attempt number job.attempts()).
struct CloneStep {
  enum class Kind {
    kComplete,       // the voice exists: COMPLETED with voice_id
    kFail,           // refused for good: FAILED with error
    kRetry,          // transient failure: run another attempt after retry_after
    kAwaitDeadline,  // transient, but no time for another attempt: the deadline timer ends it
  };
  Kind kind = Kind::kFail;
  std::string voice_id;
  std::string error;
  absl::Duration retry_after = absl::ZeroDuration();
};

// Decides the step after an attempt answered `voice` (the voice id, or the cloner's error:
// kUnavailable is transient, see providers::VoiceCloner). Retries back off from `base_backoff`,
// doubling per attempt (at most 32x), and only when the next attempt starts before the deadline.
CloneStep AfterCloneAttempt(const v1::CloneJob& job, const absl::StatusOr<std::string>& voice,
                            absl::Time now, absl::Duration base_backoff);

// What the caller gets next (GetCloneProgress.next_action), and with which voice:
// - HOLD while the job runs before its deadline;
// - CONNECT with the cloned voice once COMPLETED;
// - after a failure, a timeout, a cancel or at the deadline, the tenant's on_failure policy:
//   CONNECT with default_voice_id under connect_default_voice (when one is configured), else FAIL;
// - FAIL whenever there is nothing to connect to (no agent_stream_url).
struct CloneAction {
  internal::v1::CloneNextAction action = internal::v1::CLONE_NEXT_ACTION_FAIL;
  std::string voice_id;  // for CONNECT
};
CloneAction NextCloneAction(const v1::CloneJob& job, const config::CloneFlow& flow, absl::Time now);

}  // namespace callcontrol::calls
