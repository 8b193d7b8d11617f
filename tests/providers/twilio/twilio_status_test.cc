#include "providers/twilio/twilio_status.h"

#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace callcontrol::twilio {
namespace {

// The whole table, written out again from the sources in twilio_status.h (twilio-oai
// call_enum_status plus `initiated` and `answered`).
const std::vector<std::pair<std::string, v1::CallStatus>>& Table() {
  static const auto* table = new std::vector<std::pair<std::string, v1::CallStatus>>{
      {"queued", v1::CALL_STATUS_QUEUED},
      {"initiated", v1::CALL_STATUS_INITIATED},
      {"ringing", v1::CALL_STATUS_RINGING},
      {"in-progress", v1::CALL_STATUS_IN_PROGRESS},
      {"answered", v1::CALL_STATUS_IN_PROGRESS},
      {"completed", v1::CALL_STATUS_COMPLETED},
      {"busy", v1::CALL_STATUS_BUSY},
      {"no-answer", v1::CALL_STATUS_NO_ANSWER},
      {"failed", v1::CALL_STATUS_FAILED},
      {"canceled", v1::CALL_STATUS_CANCELED},
  };
  return *table;
}

TEST(TwilioStatusTest, NormalizesEveryWordOfTheTable) {
  for (const auto& [word, status] : Table()) {
    EXPECT_EQ(NormalizeCallStatus(word), status) << word;
  }
}

TEST(TwilioStatusTest, UnknownWordsAreUnspecified) {
  for (const char* word : {"", "in_progress", "In-Progress", "COMPLETED", "cancelled", "ongoing",
                           "no_answer", "completed ", "answered-machine"}) {
    EXPECT_EQ(NormalizeCallStatus(word), v1::CALL_STATUS_UNSPECIFIED) << '"' << word << '"';
  }
}

TEST(TwilioStatusTest, WordOfEveryNormalizedStatus) {
  EXPECT_EQ(TwilioCallStatusWord(v1::CALL_STATUS_QUEUED), "queued");
  EXPECT_EQ(TwilioCallStatusWord(v1::CALL_STATUS_INITIATED), "initiated");
  EXPECT_EQ(TwilioCallStatusWord(v1::CALL_STATUS_RINGING), "ringing");
  EXPECT_EQ(TwilioCallStatusWord(v1::CALL_STATUS_IN_PROGRESS), "in-progress");
  EXPECT_EQ(TwilioCallStatusWord(v1::CALL_STATUS_COMPLETED), "completed");
  EXPECT_EQ(TwilioCallStatusWord(v1::CALL_STATUS_BUSY), "busy");
  EXPECT_EQ(TwilioCallStatusWord(v1::CALL_STATUS_NO_ANSWER), "no-answer");
  EXPECT_EQ(TwilioCallStatusWord(v1::CALL_STATUS_FAILED), "failed");
  EXPECT_EQ(TwilioCallStatusWord(v1::CALL_STATUS_CANCELED), "canceled");
  EXPECT_EQ(TwilioCallStatusWord(v1::CALL_STATUS_UNSPECIFIED), "");
}

TEST(TwilioStatusTest, WordRoundTripsThroughTheTable) {
  for (const auto& [word, status] : Table()) {
    EXPECT_EQ(NormalizeCallStatus(TwilioCallStatusWord(status)), status) << word;
  }
}

}  // namespace
}  // namespace callcontrol::twilio
