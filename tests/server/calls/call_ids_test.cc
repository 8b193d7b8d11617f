#include "server/calls/call_ids.h"

#include <gtest/gtest.h>

namespace callcontrol::calls {
namespace {

TEST(CallIdsTest, NewIdsAreWellFormedUniqueAndTimeOrdered) {
  const absl::Time t = absl::FromUnixSeconds(1700000000);
  const std::string a = NewCallId(t);
  const std::string b = NewCallId(t + absl::Microseconds(1));
  EXPECT_TRUE(IsCallId(a)) << a;
  EXPECT_NE(a, NewCallId(t));
  EXPECT_LT(a, b);
}

TEST(CallIdsTest, RecognizesE164) {
  EXPECT_TRUE(IsE164("+14155550100"));
  EXPECT_TRUE(IsE164("+918041234567"));
  EXPECT_FALSE(IsE164("14155550100"));        // no '+'
  EXPECT_FALSE(IsE164("+04155550100"));       // leading zero
  EXPECT_FALSE(IsE164("+1415555010012345"));  // 16 digits
  EXPECT_FALSE(IsE164("+1415-555-0100"));
  EXPECT_FALSE(IsE164("+1234567"));  // too short
  EXPECT_FALSE(IsE164(""));
}

TEST(CallIdsTest, RecognizesCallSid) {
  EXPECT_TRUE(IsCallSid("CA0123456789abcdef0123456789abcdef"));
  EXPECT_FALSE(IsCallSid("CA0123456789ABCDEF0123456789abcdef"));
  EXPECT_FALSE(IsCallSid("AC0123456789abcdef0123456789abcdef"));
  EXPECT_FALSE(IsCallSid("CA0123"));
}

}  // namespace
}  // namespace callcontrol::calls
