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
  EXPECT_EQ(call_.duration_seconds(), 0);
  EXPECT_TRUE(Apply(v1::CALL_STATUS_COMPLETED, 3, kT0 + absl::Seconds(9), 9));
  EXPECT_EQ(call_.duration_seconds(), 9);
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

}  // namespace
}  // namespace callcontrol::calls
