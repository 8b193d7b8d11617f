#include "server/calls/clone_job.h"

#include <algorithm>

#include "server/calls/call_state_machine.h"
#include "server/calls/call_status.h"

namespace callcontrol::calls {

using internal::v1::CLONE_NEXT_ACTION_CONNECT;
using internal::v1::CLONE_NEXT_ACTION_FAIL;
using internal::v1::CLONE_NEXT_ACTION_HOLD;

bool IsCloneTerminal(v1::CloneState state) {
  return state == v1::CLONE_STATE_COMPLETED || state == v1::CLONE_STATE_FAILED ||
         state == v1::CLONE_STATE_TIMED_OUT || state == v1::CLONE_STATE_CANCELED;
}

v1::CloneJob NewCloneJob(absl::Time now, absl::Duration max_wait) {
  v1::CloneJob job;
  job.set_state(v1::CLONE_STATE_PENDING);
  SetTimestamp(now, job.mutable_create_time());
  SetTimestamp(now, job.mutable_update_time());
  SetTimestamp(now + max_wait, job.mutable_deadline());
  return job;
}

bool MoveCloneJob(v1::CloneJob* job, v1::CloneState state, absl::Time now,
                  const std::string& voice_id, const std::string& error) {
  if (IsCloneTerminal(job->state())) return false;
  job->set_state(state);
  if (!voice_id.empty()) job->set_voice_id(voice_id);
  if (!error.empty()) job->set_error(error);
  SetTimestamp(now, job->mutable_update_time());
  if (IsCloneTerminal(state)) SetTimestamp(now, job->mutable_end_time());
  return true;
}

bool CancelCloneIfCallEnded(v1::Call* call, absl::Time now) {
  if (!call->has_clone() || !IsTerminal(call->status())) return false;
  return MoveCloneJob(call->mutable_clone(), v1::CLONE_STATE_CANCELED, now, "",
                      "the caller hung up while the voice was being cloned");
}

CloneStep AfterCloneAttempt(const v1::CloneJob& job, const absl::StatusOr<std::string>& voice,
                            absl::Time now, absl::Duration base_backoff) {
  CloneStep step;
  if (voice.ok()) {
    step.kind = CloneStep::Kind::kComplete;
    step.voice_id = *voice;
    return step;
  }
  step.error = std::string(voice.status().message());
  if (!absl::IsUnavailable(voice.status())) {
    step.kind = CloneStep::Kind::kFail;
    return step;
  }
  const int attempts = std::max(1, job.attempts());
  step.retry_after = base_backoff * (1 << std::min(attempts - 1, 5));
  step.kind = now + step.retry_after < FromTimestamp(job.deadline())
                  ? CloneStep::Kind::kRetry
                  : CloneStep::Kind::kAwaitDeadline;
  return step;
}

CloneAction NextCloneAction(const v1::CloneJob& job, const config::CloneFlow& flow,
                            absl::Time now) {
  CloneAction next;
  if (flow.agent_stream_url.empty()) return next;  // FAIL: nothing to connect the caller to
  if (!IsCloneTerminal(job.state()) && now < FromTimestamp(job.deadline())) {
    next.action = CLONE_NEXT_ACTION_HOLD;
    return next;
  }
  if (job.state() == v1::CLONE_STATE_COMPLETED) {
    next.action = CLONE_NEXT_ACTION_CONNECT;
    next.voice_id = job.voice_id();
    return next;
  }
  if (flow.on_failure == config::CloneFlow::OnFailure::kConnectDefaultVoice &&
      !flow.default_voice_id.empty()) {
    next.action = CLONE_NEXT_ACTION_CONNECT;
    next.voice_id = flow.default_voice_id;
  }
  return next;
}

}  // namespace callcontrol::calls
