#include "server/calls/call_state_machine.h"

#include <gtest/gtest.h>

#include "server/calls/call_status.h"

namespace callcontrol::calls {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1700000000);

class CallStateMachineTest : public ::testing::Test {
 protected:
  CallStateMachineTest() {
    call_.set_call_id("call_0");
    call_.set_status(v1::CALL_STATUS_QUEUED);
    call_.set_version(1);
  }

  bool Apply(v1::CallStatus status, int64_t seq, absl::Time when, int64_t duration = -1) {
    ProviderReport r;
    r.status = status;
    r.provider_status = std::string(StatusName(status));
    r.provider_sequence = seq;
    r.occurred_time = when;
    r.duration_seconds = duration;
    return ApplyReport(r, when, &call_, &progress_);
  }

  v1::Call call_;
  CallProgress progress_;
};

TEST_F(CallStateMachineTest, MovesForwardThroughTheLifecycle) {
  EXPECT_TRUE(Apply(v1::CALL_STATUS_INITIATED, 0, kT0));
  EXPECT_TRUE(Apply(v1::CALL_STATUS_RINGING, 1, kT0 + absl::Seconds(1)));
  EXPECT_TRUE(Apply(v1::CALL_STATUS_IN_PROGRESS, 2, kT0 + absl::Seconds(3)));
  EXPECT_TRUE(Apply(v1::CALL_STATUS_COMPLETED, 3, kT0 + absl::Seconds(52), 49));
  EXPECT_EQ(call_.status(), v1::CALL_STATUS_COMPLETED);
  EXPECT_EQ(FromTimestamp(call_.answer_time()), kT0 + absl::Seconds(3));
  EXPECT_EQ(FromTimestamp(call_.end_time()), kT0 + absl::Seconds(52));
  EXPECT_EQ(call_.duration_seconds(), 49);
  EXPECT_EQ(call_.version(), 5);
}

TEST_F(CallStateMachineTest, IgnoresLateRingingAfterInProgress) {
  Apply(v1::CALL_STATUS_IN_PROGRESS, 2, kT0);
  const int64_t version = call_.version();
  EXPECT_FALSE(Apply(v1::CALL_STATUS_RINGING, 1, kT0 - absl::Seconds(1)));
  EXPECT_EQ(call_.status(), v1::CALL_STATUS_IN_PROGRESS);
  EXPECT_EQ(call_.version(), version);
}

TEST_F(CallStateMachineTest, IgnoresRingingWithoutSequenceAfterInProgress) {
  Apply(v1::CALL_STATUS_IN_PROGRESS, -1, kT0);
  EXPECT_FALSE(Apply(v1::CALL_STATUS_RINGING, -1, kT0 + absl::Seconds(1)));
  EXPECT_EQ(call_.status(), v1::CALL_STATUS_IN_PROGRESS);
}

TEST_F(CallStateMachineTest, AppliesADuplicateOnce) {
  EXPECT_TRUE(Apply(v1::CALL_STATUS_RINGING, 1, kT0));
  EXPECT_FALSE(Apply(v1::CALL_STATUS_RINGING, 1, kT0));
  EXPECT_TRUE(Apply(v1::CALL_STATUS_COMPLETED, 3, kT0 + absl::Seconds(5), 4));
  EXPECT_FALSE(Apply(v1::CALL_STATUS_COMPLETED, 3, kT0 + absl::Seconds(5), 4));
  EXPECT_EQ(call_.version(), 3);
}

TEST_F(CallStateMachineTest, TerminalStatusAbsorbsEverythingAfterIt) {
  Apply(v1::CALL_STATUS_BUSY, 2, kT0);
  EXPECT_FALSE(Apply(v1::CALL_STATUS_IN_PROGRESS, 5, kT0 + absl::Seconds(1)));
  EXPECT_FALSE(Apply(v1::CALL_STATUS_COMPLETED, 6, kT0 + absl::Seconds(2)));
  EXPECT_EQ(call_.status(), v1::CALL_STATUS_BUSY);
}

TEST_F(CallStateMachineTest, LateAnswerFillsAnswerTimeButNotStatus) {
  Apply(v1::CALL_STATUS_RINGING, 1, kT0);
  Apply(v1::CALL_STATUS_COMPLETED, 3, kT0 + absl::Seconds(30), 20);
  EXPECT_FALSE(call_.has_answer_time());
  EXPECT_TRUE(Apply(v1::CALL_STATUS_IN_PROGRESS, 2, kT0 + absl::Seconds(10)));
  EXPECT_EQ(call_.status(), v1::CALL_STATUS_COMPLETED);
  EXPECT_EQ(FromTimestamp(call_.answer_time()), kT0 + absl::Seconds(10));
}

TEST_F(CallStateMachineTest, DurationFromALaterFinalReportIsKept) {
  // The REST hangup response ends the call first; the status callback brings the duration.
  ProviderReport rest;
  rest.status = v1::CALL_STATUS_COMPLETED;
  Apply(v1::CALL_STATUS_IN_PROGRESS, 2, kT0);
  EXPECT_TRUE(ApplyReport(rest, kT0 + absl::Seconds(9), &call_, &progress_));
  EXPECT_EQ(call_.duration_seconds(), 9);  // derived meanwhile: answer to end
  // The provider's own figure replaces the derived one, and then stays.
  EXPECT_TRUE(Apply(v1::CALL_STATUS_COMPLETED, 3, kT0 + absl::Seconds(9), 8));
  EXPECT_EQ(call_.duration_seconds(), 8);
  EXPECT_FALSE(Apply(v1::CALL_STATUS_COMPLETED, 4, kT0 + absl::Seconds(9), 12));
  EXPECT_EQ(call_.duration_seconds(), 8);
}

TEST_F(CallStateMachineTest, UnknownStatusWordMovesNothing) {
  ProviderReport r;
  r.provider_status = "warbling";
  EXPECT_FALSE(ApplyReport(r, kT0, &call_, &progress_));
  EXPECT_EQ(call_.status(), v1::CALL_STATUS_QUEUED);
}

TEST_F(CallStateMachineTest, MergesProviderIdsOnce) {
  ProviderReport r;
  r.provider_ids.set_call_sid("CA0123456789abcdef0123456789abcdef");
  EXPECT_TRUE(ApplyReport(r, kT0, &call_, &progress_));
  EXPECT_FALSE(ApplyReport(r, kT0, &call_, &progress_));
  EXPECT_EQ(call_.provider_ids().call_sid(), "CA0123456789abcdef0123456789abcdef");
}

TEST(CallStatusTest, OrdersStatuses) {
  EXPECT_LT(StatusRank(v1::CALL_STATUS_QUEUED), StatusRank(v1::CALL_STATUS_INITIATED));
  EXPECT_LT(StatusRank(v1::CALL_STATUS_INITIATED), StatusRank(v1::CALL_STATUS_RINGING));
  EXPECT_LT(StatusRank(v1::CALL_STATUS_RINGING), StatusRank(v1::CALL_STATUS_IN_PROGRESS));
  for (auto s : {v1::CALL_STATUS_COMPLETED, v1::CALL_STATUS_BUSY, v1::CALL_STATUS_NO_ANSWER,
                 v1::CALL_STATUS_FAILED, v1::CALL_STATUS_CANCELED}) {
    EXPECT_TRUE(IsTerminal(s));
    EXPECT_LT(StatusRank(v1::CALL_STATUS_IN_PROGRESS), StatusRank(s));
  }
  EXPECT_FALSE(IsTerminal(v1::CALL_STATUS_IN_PROGRESS));
}

TEST_F(CallStateMachineTest, AppliesAProviderEventIdOnce) {
  ProviderReport r;
  r.status = v1::CALL_STATUS_INITIATED;
  r.provider_event_id = "0ccc7b54-4df3-4bca-a65a-3da1ecc777f0";
  EXPECT_TRUE(ApplyReport(r, kT0, &call_, &progress_));
  // A redelivery is recognized by its id alone, whatever it says.
  r.status = v1::CALL_STATUS_COMPLETED;
  EXPECT_FALSE(ApplyReport(r, kT0, &call_, &progress_));
  EXPECT_EQ(call_.status(), v1::CALL_STATUS_INITIATED);
  r.provider_event_id = "another";
  EXPECT_TRUE(ApplyReport(r, kT0, &call_, &progress_));
}

TEST_F(CallStateMachineTest, RemembersABoundedNumberOfEventIds) {
  ProviderReport r;
  for (size_t i = 0; i < CallProgress::kMaxEventIds + 10; ++i) {
    r.provider_event_id = "ev" + std::to_string(i);
    r.from = "+1415555" + std::to_string(1000 + i);  // FillIfEmpty changes only the first
    call_.clear_from();
    ApplyReport(r, kT0, &call_, &progress_);
  }
  EXPECT_EQ(progress_.applied_event_ids.size(), CallProgress::kMaxEventIds);
  EXPECT_EQ(progress_.applied_event_ids.back(),
            "ev" + std::to_string(CallProgress::kMaxEventIds + 9));
}

TEST_F(CallStateMachineTest, AnAnsweredCallEndsCompletedWhateverTheWord) {
  Apply(v1::CALL_STATUS_IN_PROGRESS, -1, kT0);
  ProviderReport r;
  r.status = v1::CALL_STATUS_BUSY;  // Telnyx user_busy from a WebRTC SDK hangup
  r.provider_status = "call.hangup:user_busy";
  r.occurred_time = kT0 + absl::Seconds(42);
  v1::Hangup hangup;
  hangup.set_cause("user_busy");
  hangup.set_source("caller");
  hangup.set_sip_cause("486");
  r.hangup = hangup;
  EXPECT_TRUE(ApplyReport(r, kT0 + absl::Seconds(43), &call_, &progress_));
  EXPECT_EQ(call_.status(), v1::CALL_STATUS_COMPLETED);
  EXPECT_EQ(call_.provider_status(), "call.hangup:user_busy");
  EXPECT_EQ(call_.hangup().cause(), "user_busy");
  EXPECT_EQ(call_.hangup().sip_cause(), "486");
  // No duration from the provider: answer to end.
  EXPECT_EQ(call_.duration_seconds(), 42);
}

TEST_F(CallStateMachineTest, AnUnansweredCallKeepsItsTerminalWord) {
  Apply(v1::CALL_STATUS_RINGING, -1, kT0);
  EXPECT_TRUE(Apply(v1::CALL_STATUS_BUSY, -1, kT0 + absl::Seconds(5)));
  EXPECT_EQ(call_.status(), v1::CALL_STATUS_BUSY);
  EXPECT_EQ(call_.duration_seconds(), 0);
}

TEST_F(CallStateMachineTest, LateAnswerAfterHangupDerivesTheDuration) {
  Apply(v1::CALL_STATUS_INITIATED, -1, kT0);
  EXPECT_TRUE(Apply(v1::CALL_STATUS_COMPLETED, -1, kT0 + absl::Seconds(20)));
  EXPECT_EQ(call_.duration_seconds(), 0);
  EXPECT_TRUE(Apply(v1::CALL_STATUS_IN_PROGRESS, -1, kT0 + absl::Seconds(5)));
  EXPECT_EQ(call_.duration_seconds(), 15);
}

TEST(CallProgressTest, SerializesAndParses) {
  CallProgress p;
  p.last_provider_sequence = 7;
  p.applied_event_ids = {"a", "b"};
  CallProgress q;
  ASSERT_TRUE(q.Parse(p.Serialize()));
  EXPECT_EQ(q.last_provider_sequence, 7);
  EXPECT_EQ(q.applied_event_ids, p.applied_event_ids);
  ASSERT_TRUE(q.Parse(""));
  EXPECT_EQ(q.last_provider_sequence, -1);
  EXPECT_FALSE(q.Parse("\xff\xff\xff"));
}

}  // namespace
}  // namespace callcontrol::calls
