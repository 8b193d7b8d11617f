#include "providers/telnyx/telnyx_status.h"

#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace callcontrol::telnyx {
namespace {

// The whole table, written out again from the sources in telnyx_status.h.
TEST(TelnyxStatusTest, EveryHangupCause) {
  const std::vector<std::pair<std::string, v1::CallStatus>> causes = {
      {"normal_clearing", v1::CALL_STATUS_COMPLETED},
      {"time_limit", v1::CALL_STATUS_COMPLETED},
      {"user_busy", v1::CALL_STATUS_BUSY},
      {"call_rejected", v1::CALL_STATUS_BUSY},
      {"timeout", v1::CALL_STATUS_NO_ANSWER},
      {"no_answer", v1::CALL_STATUS_NO_ANSWER},
      {"originator_cancel", v1::CALL_STATUS_CANCELED},
      {"not_found", v1::CALL_STATUS_FAILED},
      {"unspecified", v1::CALL_STATUS_FAILED},
  };
  for (const auto& [cause, status] : causes) {
    EXPECT_EQ(HangupCauseStatus(cause), status) << cause;
    EXPECT_EQ(NormalizeTelnyxEvent("call.hangup", cause), status) << cause;
  }
}

TEST(TelnyxStatusTest, UnknownOrMissingHangupCauseIsFailed) {
  for (const char* cause : {"", "NORMAL_CLEARING", "normal-clearing", "busy",
                            "destination_out_of_order", "normal_clearing "}) {
    EXPECT_EQ(HangupCauseStatus(cause), v1::CALL_STATUS_FAILED) << '"' << cause << '"';
    EXPECT_EQ(NormalizeTelnyxEvent("call.hangup", cause), v1::CALL_STATUS_FAILED)
        << '"' << cause << '"';
  }
}

TEST(TelnyxStatusTest, EveryCallProgressEvent) {
  EXPECT_EQ(NormalizeTelnyxEvent("call.initiated", ""), v1::CALL_STATUS_INITIATED);
  EXPECT_EQ(NormalizeTelnyxEvent("call.ringing", ""), v1::CALL_STATUS_RINGING);
  EXPECT_EQ(NormalizeTelnyxEvent("call.answered", ""), v1::CALL_STATUS_IN_PROGRESS);
  EXPECT_EQ(NormalizeTelnyxEvent("call.bridged", ""), v1::CALL_STATUS_IN_PROGRESS);
}

TEST(TelnyxStatusTest, HangupCauseIsOnlyReadForHangups) {
  EXPECT_EQ(NormalizeTelnyxEvent("call.answered", "user_busy"), v1::CALL_STATUS_IN_PROGRESS);
  EXPECT_EQ(NormalizeTelnyxEvent("call.recording.saved", "normal_clearing"),
            v1::CALL_STATUS_UNSPECIFIED);
}

TEST(TelnyxStatusTest, OtherEventsDoNotMoveTheCall) {
  for (const char* event : {"call.recording.saved", "call.dtmf.received", "call.speak.ended",
                            "call.playback.started", "call.machine.detection.ended", "call.cost",
                            "streaming.started", "call.hangup.x", "Call.Answered", "", "call"}) {
    EXPECT_EQ(NormalizeTelnyxEvent(event, "normal_clearing"), v1::CALL_STATUS_UNSPECIFIED)
        << '"' << event << '"';
  }
}

}  // namespace
}  // namespace callcontrol::telnyx
