// The form and URL-component codec (common/http/form.h), on the WHATWG and RFC 3986 examples.
#include "common/http/form.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace callcontrol::http {
namespace {

using ::callcontrol::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::Pair;

TEST(FormTest, ParsesPlusAsSpaceAndEscapesInOrderWithRepeats) {
  auto params =
      ParseForm("To=%2B14155550100&Body=hi+there&StatusCallbackEvent=a&StatusCallbackEvent=b&flag");
  ASSERT_TRUE(params.ok()) << params.status();
  EXPECT_THAT(*params, ElementsAre(Pair("To", "+14155550100"), Pair("Body", "hi there"),
                                   Pair("StatusCallbackEvent", "a"),
                                   Pair("StatusCallbackEvent", "b"), Pair("flag", "")));
}

TEST(FormTest, RefusesMalformedEscapesAndNul) {
  EXPECT_THAT(ParseForm("a=%G1").status(), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseForm("a=%4").status(), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseForm("a=x%00y").status(), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(FormTest, PercentDecodeKeepsPlusAndDecodesEscapes) {
  auto decoded = PercentDecode("v3%3AAbC+x%2Fy");
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(*decoded, "v3:AbC+x/y");
  EXPECT_THAT(PercentDecode("abc%2").status(), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(PercentDecode("%00").status(), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(FormTest, EncodeThenParseRoundTrips) {
  const FormParams params = {{"To", "+1 415/555?0100&x=y"}, {"Empty", ""}};
  auto parsed = ParseForm(EncodeForm(params));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed, params);
  EXPECT_EQ(PercentEncode("a b+c"), "a%20b%2Bc");
}

}  // namespace
}  // namespace callcontrol::http
