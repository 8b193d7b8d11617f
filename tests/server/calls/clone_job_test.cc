// The clone job's rules (server/calls/clone_job.h): moves, retries within the deadline, and
// what the caller gets next.
#include "server/calls/clone_job.h"

#include <gtest/gtest.h>

#include "server/calls/call_state_machine.h"

namespace callcontrol::calls {
namespace {

using internal::v1::CLONE_NEXT_ACTION_CONNECT;
using internal::v1::CLONE_NEXT_ACTION_FAIL;
using internal::v1::CLONE_NEXT_ACTION_HOLD;

const absl::Time kStart = absl::FromUnixSeconds(1767225600);

config::CloneFlow Flow(config::CloneFlow::OnFailure on_failure) {
  config::CloneFlow flow;
  flow.enabled = true;
  flow.agent_stream_url = "wss://agent.example.com/stream";
  flow.on_failure = on_failure;
  flow.default_voice_id = "voice-default";
  return flow;
}

TEST(CloneJobTest, EndStatesAbsorbEveryLaterMove) {
  v1::CloneJob job = NewCloneJob(kStart, absl::Seconds(30));
  EXPECT_EQ(job.state(), v1::CLONE_STATE_PENDING);
  EXPECT_EQ(FromTimestamp(job.deadline()), kStart + absl::Seconds(30));
  EXPECT_TRUE(MoveCloneJob(&job, v1::CLONE_STATE_PROCESSING, kStart));
  EXPECT_FALSE(job.has_end_time());
  EXPECT_TRUE(MoveCloneJob(&job, v1::CLONE_STATE_COMPLETED, kStart + absl::Seconds(2), "v-1"));
  EXPECT_EQ(FromTimestamp(job.end_time()), kStart + absl::Seconds(2));
  EXPECT_FALSE(MoveCloneJob(&job, v1::CLONE_STATE_FAILED, kStart + absl::Seconds(3), "", "late"));
  EXPECT_EQ(job.state(), v1::CLONE_STATE_COMPLETED);
  EXPECT_EQ(job.voice_id(), "v-1");
  EXPECT_TRUE(job.error().empty());
}

TEST(CloneJobTest, AnEndedCallCancelsARunningJobOnly) {
  v1::Call call;
  call.set_status(v1::CALL_STATUS_IN_PROGRESS);
  *call.mutable_clone() = NewCloneJob(kStart, absl::Seconds(30));
  EXPECT_FALSE(CancelCloneIfCallEnded(&call, kStart));
  call.set_status(v1::CALL_STATUS_COMPLETED);
  EXPECT_TRUE(CancelCloneIfCallEnded(&call, kStart));
  EXPECT_EQ(call.clone().state(), v1::CLONE_STATE_CANCELED);
  EXPECT_FALSE(CancelCloneIfCallEnded(&call, kStart));
}

TEST(CloneJobTest, TransientFailuresBackOffDoublingWhileTheDeadlineAllows) {
  v1::CloneJob job = NewCloneJob(kStart, absl::Seconds(30));
  job.set_attempts(1);
  const absl::Status unavailable = absl::UnavailableError("503");
  CloneStep step = AfterCloneAttempt(job, unavailable, kStart, absl::Milliseconds(500));
  EXPECT_EQ(step.kind, CloneStep::Kind::kRetry);
  EXPECT_EQ(step.retry_after, absl::Milliseconds(500));
  job.set_attempts(3);
  step = AfterCloneAttempt(job, unavailable, kStart, absl::Milliseconds(500));
  EXPECT_EQ(step.retry_after, absl::Seconds(2));
  job.set_attempts(20);  // capped at 32x
  step = AfterCloneAttempt(job, unavailable, kStart, absl::Milliseconds(500));
  EXPECT_EQ(step.retry_after, absl::Seconds(16));
  // No time left for the next attempt: the deadline ends the job.
  step = AfterCloneAttempt(job, unavailable, kStart + absl::Seconds(20), absl::Milliseconds(500));
  EXPECT_EQ(step.kind, CloneStep::Kind::kAwaitDeadline);
}

TEST(CloneJobTest, OtherErrorsFailAndAVoiceCompletes) {
  v1::CloneJob job = NewCloneJob(kStart, absl::Seconds(30));
  CloneStep step = AfterCloneAttempt(job, absl::FailedPreconditionError("voice clone error: 401"),
                                     kStart, absl::Milliseconds(500));
  EXPECT_EQ(step.kind, CloneStep::Kind::kFail);
  EXPECT_EQ(step.error, "voice clone error: 401");
  step = AfterCloneAttempt(job, std::string("v-9"), kStart, absl::Milliseconds(500));
  EXPECT_EQ(step.kind, CloneStep::Kind::kComplete);
  EXPECT_EQ(step.voice_id, "v-9");
}

TEST(CloneJobTest, NextActionHoldsUntilTheDeadlineThenAppliesThePolicy) {
  const auto hangup = Flow(config::CloneFlow::OnFailure::kHangup);
  const auto fallback = Flow(config::CloneFlow::OnFailure::kConnectDefaultVoice);
  v1::CloneJob job = NewCloneJob(kStart, absl::Seconds(30));
  EXPECT_EQ(NextCloneAction(job, hangup, kStart + absl::Seconds(29)).action,
            CLONE_NEXT_ACTION_HOLD);
  EXPECT_EQ(NextCloneAction(job, hangup, kStart + absl::Seconds(30)).action,
            CLONE_NEXT_ACTION_FAIL);
  const CloneAction late = NextCloneAction(job, fallback, kStart + absl::Seconds(30));
  EXPECT_EQ(late.action, CLONE_NEXT_ACTION_CONNECT);
  EXPECT_EQ(late.voice_id, "voice-default");

  MoveCloneJob(&job, v1::CLONE_STATE_FAILED, kStart, "", "refused");
  EXPECT_EQ(NextCloneAction(job, hangup, kStart).action, CLONE_NEXT_ACTION_FAIL);
  EXPECT_EQ(NextCloneAction(job, fallback, kStart).voice_id, "voice-default");
  auto no_default = fallback;
  no_default.default_voice_id.clear();
  EXPECT_EQ(NextCloneAction(job, no_default, kStart).action, CLONE_NEXT_ACTION_FAIL);
}

TEST(CloneJobTest, NextActionConnectsTheClonedVoiceAndNeverWithoutAStream) {
  auto flow = Flow(config::CloneFlow::OnFailure::kHangup);
  v1::CloneJob job = NewCloneJob(kStart, absl::Seconds(30));
  MoveCloneJob(&job, v1::CLONE_STATE_COMPLETED, kStart, "v-1");
  const CloneAction next = NextCloneAction(job, flow, kStart + absl::Hours(1));
  EXPECT_EQ(next.action, CLONE_NEXT_ACTION_CONNECT);
  EXPECT_EQ(next.voice_id, "v-1");
  flow.agent_stream_url.clear();
  EXPECT_EQ(NextCloneAction(job, flow, kStart).action, CLONE_NEXT_ACTION_FAIL);
}

}  // namespace
}  // namespace callcontrol::calls
