#include "providers/twilio/twilio_time.h"

#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace callcontrol::twilio {
namespace {

using ::callcontrol::testing::IsOk;
using ::callcontrol::testing::StatusIs;

// Expected Unix times computed independently with Python:
//   int(email.utils.parsedate_to_datetime(s).timestamp())
TEST(TwilioTimeTest, ParsesTheFixturesTimestamps) {
  struct Case {
    const char* text;
    int64_t unix_seconds;
  };
  for (const Case& c : {Case{"Sun, 25 Mar 2018 09:53:19 +0000", 1521971599},     // completed.form
                        Case{"Sat, 07 May 2022 14:30:14 +0000", 1651933814},     // busy.form
                        Case{"Tue, 29 Sep 2026 10:00:00 +0000", 1790676000}}) {  // ringing.form
    auto t = ParseTwilioTime(c.text);
    ASSERT_THAT(t, IsOk()) << c.text;
    EXPECT_EQ(absl::ToUnixSeconds(*t), c.unix_seconds) << c.text;
  }
}

TEST(TwilioTimeTest, AppliesTheZoneOffset) {
  auto east = ParseTwilioTime("Wed, 01 Jan 2025 05:30:00 +0530");
  ASSERT_THAT(east, IsOk());
  EXPECT_EQ(absl::ToUnixSeconds(*east), 1735689600);
  auto west = ParseTwilioTime("Mon, 31 Dec 2029 23:59:59 -0800");
  ASSERT_THAT(west, IsOk());
  EXPECT_EQ(absl::ToUnixSeconds(*west), 1893484799);
}

TEST(TwilioTimeTest, RejectsWhatIsNotRfc2822) {
  for (const char* text : {"", "2018-03-25T09:53:19Z", "1521971599", "Sun, 25 Mar 2018",
                           "Sun, 32 Mar 2018 09:53:19 +0000", "Sun, 25 Foo 2018 09:53:19 +0000",
                           "Sun, 25 Mar 2018 09:53:19 +0000 trailing"}) {
    EXPECT_THAT(ParseTwilioTime(text), StatusIs(absl::StatusCode::kInvalidArgument)) << text;
  }
}

TEST(TwilioTimeTest, FormatsInUtcAsTwilioDoes) {
  EXPECT_EQ(FormatTwilioTime(absl::FromUnixSeconds(0)), "Thu, 01 Jan 1970 00:00:00 +0000");
  EXPECT_EQ(FormatTwilioTime(absl::FromUnixSeconds(1521971599)), "Sun, 25 Mar 2018 09:53:19 +0000");
}

TEST(TwilioTimeTest, FormatThenParseRoundTrips) {
  const absl::Time t = absl::FromUnixSeconds(1790676000);
  auto parsed = ParseTwilioTime(FormatTwilioTime(t));
  ASSERT_THAT(parsed, IsOk());
  EXPECT_EQ(*parsed, t);
}

}  // namespace
}  // namespace callcontrol::twilio
