#include "providers/bolna/bolna_status.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "gtest/gtest.h"

namespace callcontrol::bolna {
namespace {

// The whole table, written out again from bolna_status.h.
const std::vector<std::pair<std::string, v1::CallStatus>>& Table() {
  static const auto* const kTable = new std::vector<std::pair<std::string, v1::CallStatus>>{
      {"queued", v1::CALL_STATUS_QUEUED},
      {"scheduled", v1::CALL_STATUS_QUEUED},
      {"rescheduled", v1::CALL_STATUS_QUEUED},
      {"initiated", v1::CALL_STATUS_INITIATED},
      {"ringing", v1::CALL_STATUS_RINGING},
      {"answered", v1::CALL_STATUS_IN_PROGRESS},
      {"in-progress", v1::CALL_STATUS_IN_PROGRESS},
      {"in_progress", v1::CALL_STATUS_IN_PROGRESS},
      {"ongoing", v1::CALL_STATUS_IN_PROGRESS},
      {"call-disconnected", v1::CALL_STATUS_UNSPECIFIED},
      {"completed", v1::CALL_STATUS_COMPLETED},
      {"ended", v1::CALL_STATUS_COMPLETED},
      {"finished", v1::CALL_STATUS_COMPLETED},
      {"busy", v1::CALL_STATUS_BUSY},
      {"no-answer", v1::CALL_STATUS_NO_ANSWER},
      {"no_answer", v1::CALL_STATUS_NO_ANSWER},
      {"failed", v1::CALL_STATUS_FAILED},
      {"error", v1::CALL_STATUS_FAILED},
      {"balance-low", v1::CALL_STATUS_FAILED},
      {"canceled", v1::CALL_STATUS_CANCELED},
      {"cancelled", v1::CALL_STATUS_CANCELED},
      {"stopped", v1::CALL_STATUS_CANCELED},
  };
  return *kTable;
}

TEST(BolnaStatusTest, EveryWord) {
  for (const auto& [word, status] : Table()) {
    EXPECT_EQ(NormalizeBolnaStatus(word), status) << word;
    EXPECT_TRUE(IsKnownBolnaStatus(word)) << word;
  }
}

TEST(BolnaStatusTest, CaseInsensitive) {
  for (const auto& [word, status] : Table()) {
    const std::string upper = absl::AsciiStrToUpper(word);
    std::string mixed = word;
    mixed[0] = absl::ascii_toupper(static_cast<unsigned char>(mixed[0]));
    EXPECT_EQ(NormalizeBolnaStatus(upper), status) << upper;
    EXPECT_EQ(NormalizeBolnaStatus(mixed), status) << mixed;
    EXPECT_TRUE(IsKnownBolnaStatus(upper)) << upper;
  }
  EXPECT_EQ(NormalizeBolnaStatus("Call-Disconnected"), v1::CALL_STATUS_UNSPECIFIED);
  EXPECT_TRUE(IsKnownBolnaStatus("Call-Disconnected"));
}

TEST(BolnaStatusTest, CallDisconnectedMovesNothingButIsKnown) {
  EXPECT_EQ(NormalizeBolnaStatus("call-disconnected"), v1::CALL_STATUS_UNSPECIFIED);
  EXPECT_TRUE(IsKnownBolnaStatus("call-disconnected"));
}

TEST(BolnaStatusTest, UnknownWordIsUnspecifiedAndNotKnown) {
  for (const char* word : {"", "voicemail", "disconnected", "complete", "in progress", "completed ",
                           "call_disconnected", "transferred"}) {
    EXPECT_EQ(NormalizeBolnaStatus(word), v1::CALL_STATUS_UNSPECIFIED) << '"' << word << '"';
    EXPECT_FALSE(IsKnownBolnaStatus(word)) << '"' << word << '"';
  }
}

}  // namespace
}  // namespace callcontrol::bolna
