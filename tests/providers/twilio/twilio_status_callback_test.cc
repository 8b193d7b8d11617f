#include "providers/twilio/twilio_status_callback.h"

#include <string>
#include <utility>

#include "common/http/form.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/status_matchers.h"

namespace callcontrol::twilio {
namespace {

using ::callcontrol::testing::IsOk;
using ::callcontrol::testing::ReadFixture;
using ::callcontrol::testing::StatusIs;
using ::google::protobuf::util::MessageDifferencer;
using internal::v1::ReportProviderEventRequest;

constexpr char kCallSid[] = "CA00000000000000000000000000000001";
constexpr char kCallId[] = "call_0123456789abcdef0123456789abcdef";

http::FormParams FixtureForm(const std::string& name) {
  auto form = http::ParseForm(ReadFixture(name));
  EXPECT_THAT(form, IsOk());
  return form.ok() ? *std::move(form) : http::FormParams{};
}

// Sets `name` to `value` in `form` (replacing every occurrence), or removes it if value is null.
http::FormParams With(http::FormParams form, const std::string& name, const char* value) {
  http::FormParams out;
  for (auto& [n, v] : form) {
    if (n != name) out.emplace_back(std::move(n), std::move(v));
  }
  if (value != nullptr) out.emplace_back(name, value);
  return out;
}

::testing::AssertionResult ProtoEquals(const ReportProviderEventRequest& expected,
                                       const ReportProviderEventRequest& actual) {
  std::string diff;
  MessageDifferencer differencer;
  differencer.ReportDifferencesToString(&diff);
  if (differencer.Compare(expected, actual)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << diff;
}

TEST(TwilioStatusCallbackTest, ParsesCompletedFixture) {
  auto request =
      ParseTwilioStatusCallback("acme", kCallId, FixtureForm("twilio_status_completed.form"));
  ASSERT_THAT(request, IsOk());
  ReportProviderEventRequest expected;
  expected.set_tenant_id("acme");
  expected.set_provider(v1::PROVIDER_TWILIO);
  expected.set_call_id(kCallId);
  expected.mutable_provider_ids()->set_call_sid(kCallSid);
  expected.set_provider_status("completed");
  expected.set_status(v1::CALL_STATUS_COMPLETED);
  expected.set_provider_sequence(3);
  expected.mutable_occurred_time()->set_seconds(1521971599);  // Sun, 25 Mar 2018 09:53:19 +0000
  expected.set_duration_seconds(49);                          // CallDuration, not Duration=1
  expected.set_direction(v1::CALL_DIRECTION_OUTBOUND);
  expected.set_from("+16466063895");
  expected.set_to("+551135892112");
  expected.set_sip_response_code(0);
  EXPECT_TRUE(ProtoEquals(expected, *request));
}

TEST(TwilioStatusCallbackTest, ParsesBusyFixture) {
  auto request = ParseTwilioStatusCallback("acme", "", FixtureForm("twilio_status_busy.form"));
  ASSERT_THAT(request, IsOk());
  ReportProviderEventRequest expected;
  expected.set_tenant_id("acme");
  expected.set_provider(v1::PROVIDER_TWILIO);
  expected.mutable_provider_ids()->set_call_sid(kCallSid);
  expected.set_provider_status("busy");
  expected.set_status(v1::CALL_STATUS_BUSY);
  expected.set_provider_sequence(2);
  expected.mutable_occurred_time()->set_seconds(1651933814);  // Sat, 07 May 2022 14:30:14 +0000
  expected.set_duration_seconds(0);
  expected.set_direction(v1::CALL_DIRECTION_OUTBOUND);
  expected.set_from("+447412301423");
  expected.set_to("+260967301606");
  expected.set_sip_response_code(486);
  EXPECT_TRUE(ProtoEquals(expected, *request));
}

TEST(TwilioStatusCallbackTest, ParsesRingingFixture) {
  auto request =
      ParseTwilioStatusCallback("acme", kCallId, FixtureForm("twilio_status_ringing.form"));
  ASSERT_THAT(request, IsOk());
  ReportProviderEventRequest expected;
  expected.set_tenant_id("acme");
  expected.set_provider(v1::PROVIDER_TWILIO);
  expected.set_call_id(kCallId);
  expected.mutable_provider_ids()->set_call_sid(kCallSid);
  expected.set_provider_status("ringing");
  expected.set_status(v1::CALL_STATUS_RINGING);
  expected.set_provider_sequence(1);
  expected.mutable_occurred_time()->set_seconds(1790676000);  // Tue, 29 Sep 2026 10:00:00 +0000
  expected.set_duration_seconds(-1);                          // no CallDuration before the end
  expected.set_direction(v1::CALL_DIRECTION_OUTBOUND);
  expected.set_from("+15017122661");
  expected.set_to("+15558675310");
  expected.set_sip_response_code(0);
  EXPECT_TRUE(ProtoEquals(expected, *request));
}

TEST(TwilioStatusCallbackTest, MinimalCallbackHasDefaultsForAbsentFields) {
  auto request =
      ParseTwilioStatusCallback("acme", "", {{"CallSid", kCallSid}, {"CallStatus", "in-progress"}});
  ASSERT_THAT(request, IsOk());
  EXPECT_EQ(request->status(), v1::CALL_STATUS_IN_PROGRESS);
  EXPECT_EQ(request->provider_status(), "in-progress");
  EXPECT_EQ(request->provider_sequence(), -1);
  EXPECT_EQ(request->duration_seconds(), -1);
  EXPECT_EQ(request->sip_response_code(), 0);
  EXPECT_FALSE(request->has_occurred_time());
  EXPECT_EQ(request->direction(), v1::CALL_DIRECTION_UNSPECIFIED);
  EXPECT_EQ(request->call_id(), "");
  EXPECT_EQ(request->from(), "");
  EXPECT_EQ(request->to(), "");
}

TEST(TwilioStatusCallbackTest, EmptyNumericFieldsCountAsAbsent) {
  auto request = ParseTwilioStatusCallback("acme", "",
                                           {{"CallSid", kCallSid},
                                            {"CallStatus", "ringing"},
                                            {"SequenceNumber", ""},
                                            {"CallDuration", ""},
                                            {"SipResponseCode", ""}});
  ASSERT_THAT(request, IsOk());
  EXPECT_EQ(request->provider_sequence(), -1);
  EXPECT_EQ(request->duration_seconds(), -1);
  EXPECT_EQ(request->sip_response_code(), 0);
}

TEST(TwilioStatusCallbackTest, UnknownStatusWordIsForwardedUnspecified) {
  const auto form = With(FixtureForm("twilio_status_ringing.form"), "CallStatus", "ongoing");
  auto request = ParseTwilioStatusCallback("acme", kCallId, form);
  ASSERT_THAT(request, IsOk());
  EXPECT_EQ(request->status(), v1::CALL_STATUS_UNSPECIFIED);
  EXPECT_EQ(request->provider_status(), "ongoing");
  EXPECT_EQ(request->provider_ids().call_sid(), kCallSid);
}

TEST(TwilioStatusCallbackTest, UnparsableTimestampLeavesOccurredTimeUnset) {
  for (const char* timestamp : {"2018-03-25T09:53:19Z", "", "yesterday"}) {
    const auto form = With(FixtureForm("twilio_status_ringing.form"), "Timestamp", timestamp);
    auto request = ParseTwilioStatusCallback("acme", "", form);
    ASSERT_THAT(request, IsOk()) << timestamp;
    EXPECT_FALSE(request->has_occurred_time()) << timestamp;
  }
}

// Found by tools/fuzz: RFC 2822 dates whose year lies outside google.protobuf.Timestamp's range
// parse, and the daemon refuses a report carrying one; they count as unparsable.
TEST(TwilioStatusCallbackTest, TimestampOutsideTheTimestampRangeLeavesOccurredTimeUnset) {
  for (const char* timestamp :
       {"Sun, 25 Mar 10000 09:53:19 +0000", "Mon, 01 Jan 0000 00:00:00 +0000"}) {
    const auto form = With(FixtureForm("twilio_status_ringing.form"), "Timestamp", timestamp);
    auto request = ParseTwilioStatusCallback("acme", "", form);
    ASSERT_THAT(request, IsOk()) << timestamp;
    EXPECT_FALSE(request->has_occurred_time()) << timestamp;
  }
}

TEST(TwilioStatusCallbackTest, RequiresCallSid) {
  const auto ringing = FixtureForm("twilio_status_ringing.form");
  EXPECT_THAT(ParseTwilioStatusCallback("acme", "", With(ringing, "CallSid", nullptr)),
              StatusIs(absl::StatusCode::kInvalidArgument));
  for (const char* bad :
       {"", "CA123", "XX00000000000000000000000000000001", "CA0000000000000000000000000000000g",
        "CA000000000000000000000000000000011", "ca00000000000000000000000000000001"}) {
    EXPECT_THAT(ParseTwilioStatusCallback("acme", "", With(ringing, "CallSid", bad)),
                StatusIs(absl::StatusCode::kInvalidArgument))
        << bad;
  }
}

TEST(TwilioStatusCallbackTest, RequiresCallStatus) {
  const auto ringing = FixtureForm("twilio_status_ringing.form");
  EXPECT_THAT(ParseTwilioStatusCallback("acme", "", With(ringing, "CallStatus", nullptr)),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseTwilioStatusCallback("acme", "", With(ringing, "CallStatus", "")),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(TwilioStatusCallbackTest, RejectsNonNumericCounts) {
  const auto ringing = FixtureForm("twilio_status_ringing.form");
  for (const char* field : {"SequenceNumber", "CallDuration", "SipResponseCode"}) {
    for (const char* bad : {"abc", "-1", "+1", "1.5", " 1", "1 ", "0x10", "99999999999999999999"}) {
      EXPECT_THAT(ParseTwilioStatusCallback("acme", "", With(ringing, field, bad)),
                  StatusIs(absl::StatusCode::kInvalidArgument))
          << field << "=" << bad;
    }
  }
  EXPECT_THAT(ParseTwilioStatusCallback("acme", "", With(ringing, "SipResponseCode", "1000")),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(TwilioStatusCallbackTest, UsesTheFirstOfRepeatedFields) {
  http::FormParams form = {{"CallSid", kCallSid},
                           {"CallStatus", "ringing"},
                           {"CallStatus", "completed"},
                           {"SequenceNumber", "4"},
                           {"SequenceNumber", "5"}};
  auto request = ParseTwilioStatusCallback("acme", "", form);
  ASSERT_THAT(request, IsOk());
  EXPECT_EQ(request->provider_status(), "ringing");
  EXPECT_EQ(request->provider_sequence(), 4);
}

TEST(TwilioStatusCallbackTest, MapsDirection) {
  EXPECT_EQ(ParseTwilioDirection("inbound"), v1::CALL_DIRECTION_INBOUND);
  EXPECT_EQ(ParseTwilioDirection("outbound-api"), v1::CALL_DIRECTION_OUTBOUND);
  EXPECT_EQ(ParseTwilioDirection("outbound-dial"), v1::CALL_DIRECTION_OUTBOUND);
  EXPECT_EQ(ParseTwilioDirection(""), v1::CALL_DIRECTION_UNSPECIFIED);
  EXPECT_EQ(ParseTwilioDirection("Inbound"), v1::CALL_DIRECTION_UNSPECIFIED);
  EXPECT_EQ(ParseTwilioDirection("trunking-originating"), v1::CALL_DIRECTION_UNSPECIFIED);

  const auto inbound = With(FixtureForm("twilio_status_ringing.form"), "Direction", "inbound");
  auto request = ParseTwilioStatusCallback("acme", "", inbound);
  ASSERT_THAT(request, IsOk());
  EXPECT_EQ(request->direction(), v1::CALL_DIRECTION_INBOUND);
}

TEST(TwilioStatusCallbackTest, RecognizesCallSids) {
  EXPECT_TRUE(IsTwilioCallSid("CA00000000000000000000000000000001"));
  EXPECT_TRUE(IsTwilioCallSid("CA0123456789abcdef0123456789ABCDEF"));
  EXPECT_FALSE(IsTwilioCallSid("CA0123456789abcdef0123456789abcde"));
  EXPECT_FALSE(IsTwilioCallSid("AC0123456789abcdef0123456789abcdef"));
  EXPECT_FALSE(IsTwilioCallSid(""));
}

}  // namespace
}  // namespace callcontrol::twilio
