#include "providers/exotel/exotel_status.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "gtest/gtest.h"

namespace callcontrol::exotel {
namespace {

// The whole table, written out again from exotel_status.h.
const std::vector<std::pair<std::string, v1::CallStatus>>& Table() {
  static const auto* const kTable = new std::vector<std::pair<std::string, v1::CallStatus>>{
      {"queued", v1::CALL_STATUS_QUEUED},
      {"initiated", v1::CALL_STATUS_INITIATED},
      {"ringing", v1::CALL_STATUS_RINGING},
      {"answered", v1::CALL_STATUS_IN_PROGRESS},
      {"in-progress", v1::CALL_STATUS_IN_PROGRESS},
      {"in_progress", v1::CALL_STATUS_IN_PROGRESS},
      {"ongoing", v1::CALL_STATUS_IN_PROGRESS},
      {"completed", v1::CALL_STATUS_COMPLETED},
      {"ended", v1::CALL_STATUS_COMPLETED},
      {"finished", v1::CALL_STATUS_COMPLETED},
      {"busy", v1::CALL_STATUS_BUSY},
      {"no-answer", v1::CALL_STATUS_NO_ANSWER},
      {"no_answer", v1::CALL_STATUS_NO_ANSWER},
      {"failed", v1::CALL_STATUS_FAILED},
      {"error", v1::CALL_STATUS_FAILED},
      {"canceled", v1::CALL_STATUS_CANCELED},
      {"cancelled", v1::CALL_STATUS_CANCELED},
  };
  return *kTable;
}

TEST(ExotelStatusTest, EveryWord) {
  for (const auto& [word, status] : Table()) {
    EXPECT_EQ(NormalizeExotelStatus(word), status) << word;
  }
}

TEST(ExotelStatusTest, CaseInsensitive) {
  for (const auto& [word, status] : Table()) {
    const std::string upper = absl::AsciiStrToUpper(word);
    std::string mixed = word;
    mixed[0] = absl::ascii_toupper(static_cast<unsigned char>(mixed[0]));
    EXPECT_EQ(NormalizeExotelStatus(upper), status) << upper;
    EXPECT_EQ(NormalizeExotelStatus(mixed), status) << mixed;
  }
  EXPECT_EQ(NormalizeExotelStatus("No-Answer"), v1::CALL_STATUS_NO_ANSWER);
  EXPECT_EQ(NormalizeExotelStatus("In_Progress"), v1::CALL_STATUS_IN_PROGRESS);
}

TEST(ExotelStatusTest, UnknownWordIsUnspecified) {
  for (const char* word : {"", "voicemail", "call-disconnected", "complete", "in progress",
                           "completed ", " busy", "noanswer", "cancel"}) {
    EXPECT_EQ(NormalizeExotelStatus(word), v1::CALL_STATUS_UNSPECIFIED) << '"' << word << '"';
  }
}

}  // namespace
}  // namespace callcontrol::exotel
