// ParseTwilioRecordingCallback on tests/fixtures/twilio_recording_status_completed.form and on
// edge cases.
#include "providers/twilio/twilio_recording_callback.h"

#include <string>
#include <utility>
#include <vector>

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
using internal::v1::ReportProviderEventRequest;
using ::testing::HasSubstr;

constexpr char kCallSid[] = "CA00000000000000000000000000000001";
constexpr char kCallId[] = "call_0123456789abcdef0123456789abcdef";

http::FormParams Form(const std::string& body) {
  auto form = http::ParseForm(body);
  EXPECT_THAT(form, IsOk());
  return form.ok() ? *std::move(form) : http::FormParams{};
}

TEST(TwilioRecordingCallbackTest, CompletedFixture) {
  auto request = ParseTwilioRecordingCallback(
      "acme", kCallId, Form(ReadFixture("twilio_recording_status_completed.form")));
  ASSERT_THAT(request, IsOk());
  ReportProviderEventRequest expected;
  expected.set_tenant_id("acme");
  expected.set_provider(v1::PROVIDER_TWILIO);
  expected.set_call_id(kCallId);
  expected.mutable_provider_ids()->set_call_sid(kCallSid);
  expected.set_provider_status("recording:completed");
  expected.set_status(v1::CALL_STATUS_UNSPECIFIED);
  expected.set_provider_sequence(-1);
  expected.set_duration_seconds(-1);
  expected.set_sip_response_code(0);
  v1::Recording* recording = expected.mutable_recording();
  recording->set_recording_id("RE00000000000000000000000000000001");
  recording->set_url(
      "https://api.twilio.com/2010-04-01/Accounts/AC00000000000000000000000000000001/Recordings/"
      "RE00000000000000000000000000000001");
  recording->set_duration_seconds(47);
  recording->set_status("completed");
  std::string diff;
  google::protobuf::util::MessageDifferencer differencer;
  differencer.ReportDifferencesToString(&diff);
  EXPECT_TRUE(differencer.Compare(expected, *request)) << diff;
}

TEST(TwilioRecordingCallbackTest, OptionalFields) {
  // Only a URL: status defaults to completed, duration 0.
  auto request = ParseTwilioRecordingCallback(
      "acme", "", {{"CallSid", kCallSid}, {"RecordingUrl", "https://api.twilio.com/r"}});
  ASSERT_THAT(request, IsOk());
  EXPECT_EQ(request->call_id(), "");
  EXPECT_EQ(request->recording().recording_id(), "");
  EXPECT_EQ(request->recording().status(), "completed");
  EXPECT_EQ(request->recording().duration_seconds(), 0);
  // Only a sid, in progress, duration unknown (-1).
  request = ParseTwilioRecordingCallback("acme", "",
                                         {{"CallSid", kCallSid},
                                          {"RecordingSid", "RE1"},
                                          {"RecordingStatus", "in-progress"},
                                          {"RecordingDuration", "-1"}});
  ASSERT_THAT(request, IsOk());
  EXPECT_EQ(request->recording().recording_id(), "RE1");
  EXPECT_EQ(request->recording().url(), "");
  EXPECT_EQ(request->recording().status(), "in-progress");
  EXPECT_EQ(request->recording().duration_seconds(), 0);
  EXPECT_EQ(request->provider_status(), "recording:in-progress");
}

TEST(TwilioRecordingCallbackTest, MalformedFieldsAreNamed) {
  const std::vector<std::pair<http::FormParams, std::string>> bad = {
      {{{"RecordingSid", "RE1"}}, "CallSid"},
      {{{"CallSid", "CA123"}, {"RecordingSid", "RE1"}}, "CallSid"},
      {{{"CallSid", kCallSid}}, "RecordingSid or RecordingUrl"},
      {{{"CallSid", kCallSid}, {"RecordingSid", ""}, {"RecordingUrl", ""}},
       "RecordingSid or RecordingUrl"},
      {{{"CallSid", kCallSid}, {"RecordingSid", "RE1"}, {"RecordingDuration", "4.5"}},
       "RecordingDuration"},
      {{{"CallSid", kCallSid}, {"RecordingSid", "RE1"}, {"RecordingDuration", "-2"}},
       "RecordingDuration"},
  };
  for (const auto& [form, field] : bad) {
    auto request = ParseTwilioRecordingCallback("acme", "", form);
    EXPECT_THAT(request, StatusIs(absl::StatusCode::kInvalidArgument)) << http::EncodeForm(form);
    EXPECT_THAT(std::string(request.status().message()), HasSubstr(field));
  }
}

}  // namespace
}  // namespace callcontrol::twilio
