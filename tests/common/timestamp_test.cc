// proto::ToTimestamp (common/proto/timestamp.h): google.protobuf.Timestamp's range, both ends, and
// the times absl::ParseTime reads outside it (found by tools/fuzz).
#include "common/proto/timestamp.h"

#include <string>

#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace callcontrol::proto {
namespace {

absl::Time Parse(const std::string& text) {
  absl::Time time;
  std::string error;
  EXPECT_TRUE(absl::ParseTime(absl::RFC3339_full, text, &time, &error)) << text << ": " << error;
  return time;
}

TEST(ToTimestampTest, KeepsSecondsAndNanos) {
  google::protobuf::Timestamp ts;
  ASSERT_TRUE(ToTimestamp(Parse("2018-02-02T22:25:27.521992Z"), &ts));
  EXPECT_EQ(ts.seconds(), 1517610327);
  EXPECT_EQ(ts.nanos(), 521992000);
  // Before 1970: seconds floored, nanos still non-negative.
  ASSERT_TRUE(ToTimestamp(absl::FromUnixMillis(-1500), &ts));
  EXPECT_EQ(ts.seconds(), -2);
  EXPECT_EQ(ts.nanos(), 500000000);
}

TEST(ToTimestampTest, AcceptsBothEndsOfTheRange) {
  google::protobuf::Timestamp ts;
  ASSERT_TRUE(ToTimestamp(Parse("0001-01-01T00:00:00Z"), &ts));
  EXPECT_EQ(ts.seconds(), -62135596800);
  ASSERT_TRUE(ToTimestamp(Parse("9999-12-31T23:59:59.999999999Z"), &ts));
  EXPECT_EQ(ts.seconds(), 253402300799);
  EXPECT_EQ(ts.nanos(), 999999999);
}

TEST(ToTimestampTest, RefusesTimesOutsideTheRangeAndLeavesTheOutputAlone) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(42);
  for (const std::string text : {"0000-12-31T23:59:59Z", "10000-01-01T00:00:00Z",
                                 "99999-01-01T00:00:00Z", "infinite-future", "infinite-past"}) {
    EXPECT_FALSE(ToTimestamp(Parse(text), &ts)) << text;
    EXPECT_EQ(ts.seconds(), 42) << text;
    EXPECT_EQ(ts.nanos(), 0) << text;
  }
  EXPECT_FALSE(ToTimestamp(absl::InfiniteFuture(), &ts));
  EXPECT_FALSE(ToTimestamp(absl::InfinitePast(), &ts));
}

}  // namespace
}  // namespace callcontrol::proto
