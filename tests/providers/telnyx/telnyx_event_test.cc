// ParseTelnyxWebhook on the shared fixtures (tests/fixtures/telnyx_call_*.json) and on malformed
// bodies; IsCallStateEvent, ParseTelnyxEventType, client_state call ids.
#include "providers/telnyx/telnyx_event.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/testing/fixtures.h"
#include "tests/testing/status_matchers.h"

namespace callcontrol::telnyx {
namespace {

using ::callcontrol::testing::IsOk;
using ::callcontrol::testing::ReadFixture;
using ::callcontrol::testing::StatusIs;
using internal::v1::ReportProviderEventRequest;
using ::testing::HasSubstr;

constexpr char kCallId[] = "call_0123456789abcdef0123456789abcdef";
constexpr char kCallControlId[] = "v3:MdI91X4lWFEs7IgbBEOT9M4AigoY08M0WWZFISt1Yw2axZ_IiE4pqg";
constexpr char kCallLegId[] = "428c31b6-7af4-4bcb-b7f5-5013ef9657c1";

void ExpectEqualProto(const ReportProviderEventRequest& expected,
                      const ReportProviderEventRequest& actual) {
  std::string diff;
  google::protobuf::util::MessageDifferencer differencer;
  differencer.ReportDifferencesToString(&diff);
  EXPECT_TRUE(differencer.Compare(expected, actual)) << diff;
}

// A minimal valid body with `event_type` and `payload_extra` (JSON members, may be empty)
// appended to the payload.
std::string Body(const std::string& event_type, const std::string& payload_extra = "") {
  return R"({"data":{"record_type":"event","event_type":")" + event_type +
         R"(","id":"ev-1","occurred_at":"2024-05-06T07:08:09.5Z","payload":{"call_control_id":"cc-1")" +
         (payload_extra.empty() ? "" : "," + payload_extra) + "}}}";
}

// ParseTelnyxWebhook of `body` with data.payload.client_state set to base64(kCallId), as
// Telnyx echoes it for a call callcontrol placed.
absl::StatusOr<ReportProviderEventRequest> ParseWithCallId(const std::string& body) {
  nlohmann::json root = nlohmann::json::parse(body);
  if (root["data"]["payload"].is_object()) {
    root["data"]["payload"]["client_state"] = absl::Base64Escape(kCallId);
  }
  return ParseTelnyxWebhook("acme", root.dump());
}

TEST(TelnyxEventTest, CallInitiatedFixture) {
  auto request = ParseWithCallId(ReadFixture("telnyx_call_initiated.json"));
  ASSERT_THAT(request, IsOk());
  ReportProviderEventRequest expected;
  expected.set_tenant_id("acme");
  expected.set_provider(v1::PROVIDER_TELNYX);
  expected.set_call_id(kCallId);
  expected.mutable_provider_ids()->set_call_control_id(kCallControlId);
  expected.mutable_provider_ids()->set_call_leg_id(kCallLegId);
  expected.mutable_provider_ids()->set_call_session_id("428c31b6-abf3-3bc1-b7f4-5013ef9657c1");
  expected.set_provider_status("call.initiated");
  expected.set_status(v1::CALL_STATUS_INITIATED);
  expected.set_provider_sequence(-1);
  expected.mutable_occurred_time()->set_seconds(1517610327);  // 2018-02-02T22:25:27.521992Z
  expected.mutable_occurred_time()->set_nanos(521992000);
  expected.set_duration_seconds(-1);
  expected.set_direction(v1::CALL_DIRECTION_INBOUND);
  expected.set_from("+35319605860");
  expected.set_to("+13129457420");
  expected.set_provider_event_id("0ccc7b54-4df3-4bca-a65a-3da1ecc777f0");
  ExpectEqualProto(expected, *request);
  EXPECT_FALSE(request->has_hangup());
}

TEST(TelnyxEventTest, CallAnsweredFixture) {
  auto request = ParseWithCallId(ReadFixture("telnyx_call_answered.json"));
  ASSERT_THAT(request, IsOk());
  EXPECT_EQ(request->provider_status(), "call.answered");
  EXPECT_EQ(request->status(), v1::CALL_STATUS_IN_PROGRESS);
  EXPECT_EQ(request->provider_event_id(), "7f0a6b0e-1d2c-4f37-9a5e-2b1b3c4d5e6f");
  EXPECT_EQ(request->occurred_time().seconds(), 1517610331);  // 2018-02-02T22:25:31.100000Z
  EXPECT_EQ(request->occurred_time().nanos(), 100000000);
  EXPECT_EQ(request->provider_ids().call_control_id(), kCallControlId);
  EXPECT_EQ(request->direction(), v1::CALL_DIRECTION_UNSPECIFIED);  // only call.initiated has one
  EXPECT_EQ(request->call_id(), kCallId);
  EXPECT_FALSE(request->has_hangup());
}

TEST(TelnyxEventTest, CallHangupFixture) {
  auto request = ParseWithCallId(ReadFixture("telnyx_call_hangup.json"));
  ASSERT_THAT(request, IsOk());
  EXPECT_EQ(request->provider_status(), "call.hangup:call_rejected");
  EXPECT_EQ(request->status(), v1::CALL_STATUS_BUSY);
  EXPECT_EQ(request->provider_event_id(), "0ccc7b54-4df3-4bca-a65a-3da1ecc777f0");
  ASSERT_TRUE(request->has_hangup());
  EXPECT_EQ(request->hangup().cause(), "call_rejected");
  EXPECT_EQ(request->hangup().source(), "caller");
  EXPECT_EQ(request->hangup().sip_cause(), "603");
  EXPECT_EQ(request->provider_ids().call_session_id(), "428c31b6-7af4-4bcb-b7f5-5013ef9657c1");
  EXPECT_EQ(request->occurred_time().seconds(), 1517610327);
  EXPECT_EQ(request->provider_sequence(), -1);
  EXPECT_EQ(request->duration_seconds(), -1);
  EXPECT_EQ(request->from(), "+35319605860");
  EXPECT_EQ(request->to(), "+35319605860");
}

TEST(TelnyxEventTest, HangupWithoutDetails) {
  auto request = ParseTelnyxWebhook("acme", Body("call.hangup"));
  ASSERT_THAT(request, IsOk());
  EXPECT_EQ(request->provider_status(), "call.hangup");
  EXPECT_EQ(request->status(), v1::CALL_STATUS_FAILED);
  EXPECT_TRUE(request->has_hangup());
  EXPECT_EQ(request->hangup().cause(), "");
  // A numeric sip_hangup_cause is taken as its digits.
  request = ParseTelnyxWebhook(
      "acme",
      Body("call.hangup",
           R"("hangup_cause":"user_busy","sip_hangup_cause":486,"hangup_source":"callee")"));
  ASSERT_THAT(request, IsOk());
  EXPECT_EQ(request->status(), v1::CALL_STATUS_BUSY);
  EXPECT_EQ(request->hangup().sip_cause(), "486");
  EXPECT_EQ(request->hangup().source(), "callee");
}

TEST(TelnyxEventTest, EventTypeAndStatus) {
  auto request = ParseTelnyxWebhook("acme", Body("call.bridged"));
  ASSERT_THAT(request, IsOk());
  EXPECT_EQ(request->status(), v1::CALL_STATUS_IN_PROGRESS);
  EXPECT_EQ(request->provider_status(), "call.bridged");
  request = ParseTelnyxWebhook("acme", Body("call.recording.saved"));
  ASSERT_THAT(request, IsOk());
  EXPECT_EQ(request->status(), v1::CALL_STATUS_UNSPECIFIED);
  EXPECT_EQ(request->provider_status(), "call.recording.saved");
  EXPECT_FALSE(request->has_hangup());
  // hangup fields on another event are not read.
  request = ParseTelnyxWebhook("acme", Body("call.answered", R"("hangup_cause":"user_busy")"));
  ASSERT_THAT(request, IsOk());
  EXPECT_FALSE(request->has_hangup());
  EXPECT_EQ(request->occurred_time().seconds(), 1714979289);  // 2024-05-06T07:08:09.5Z
  EXPECT_EQ(request->occurred_time().nanos(), 500000000);
}

TEST(TelnyxEventTest, Direction) {
  auto request = ParseTelnyxWebhook("acme", Body("call.initiated", R"("direction":"outgoing")"));
  ASSERT_THAT(request, IsOk());
  EXPECT_EQ(request->direction(), v1::CALL_DIRECTION_OUTBOUND);
  EXPECT_EQ(ParseTelnyxDirection("incoming"), v1::CALL_DIRECTION_INBOUND);
  EXPECT_EQ(ParseTelnyxDirection("outgoing"), v1::CALL_DIRECTION_OUTBOUND);
  EXPECT_EQ(ParseTelnyxDirection("inbound"), v1::CALL_DIRECTION_UNSPECIFIED);
  EXPECT_EQ(ParseTelnyxDirection(""), v1::CALL_DIRECTION_UNSPECIFIED);
}

TEST(TelnyxEventTest, CallIdFromClientState) {
  // base64("call_0123456789abcdef0123456789abcdef")
  const std::string state =
      R"("client_state":"Y2FsbF8wMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZg==")";
  auto request = ParseTelnyxWebhook("acme", Body("call.answered", state));
  ASSERT_THAT(request, IsOk());
  EXPECT_EQ(request->call_id(), kCallId);
  // The answered fixture's client_state is "have a nice day =]": not a call id.
  request = ParseTelnyxWebhook("acme", ReadFixture("telnyx_call_answered.json"));
  ASSERT_THAT(request, IsOk());
  EXPECT_EQ(request->call_id(), "");
  // The initiated fixture's client_state is null.
  request = ParseTelnyxWebhook("acme", ReadFixture("telnyx_call_initiated.json"));
  ASSERT_THAT(request, IsOk());
  EXPECT_EQ(request->call_id(), "");
}

TEST(TelnyxEventTest, CallIdFromClientStateRules) {
  EXPECT_EQ(CallIdFromClientState("Y2FsbF8wMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZg=="), kCallId);
  EXPECT_EQ(CallIdFromClientState("Y2FsbF94"), "call_x");  // "call_x"
  EXPECT_EQ(CallIdFromClientState(""), "");
  EXPECT_EQ(CallIdFromClientState("Y2FsbF8="), "");                  // "call_"
  EXPECT_EQ(CallIdFromClientState("Y2FsbA=="), "");                  // "call"
  EXPECT_EQ(CallIdFromClientState("aGF2ZSBhIG5pY2UgZGF5ID1d"), "");  // not call_
  EXPECT_EQ(CallIdFromClientState("Y2FsbF94IHk="), "");              // "call_x y"
  EXPECT_EQ(CallIdFromClientState("not base64!"), "");
}

TEST(TelnyxEventTest, UnparsableOrMissingOccurredAtLeavesTimeUnset) {
  std::string body = Body("call.answered");
  body.replace(body.find("2024-05-06T07:08:09.5Z"), 22, "yesterday at noon");
  auto request = ParseTelnyxWebhook("acme", body);
  ASSERT_THAT(request, IsOk());
  EXPECT_FALSE(request->has_occurred_time());
  request = ParseTelnyxWebhook(
      "acme",
      R"({"data":{"event_type":"call.answered","id":"e","payload":{"call_control_id":"c"}}})");
  ASSERT_THAT(request, IsOk());
  EXPECT_FALSE(request->has_occurred_time());
  // An offset other than Z.
  body = Body("call.answered");
  body.replace(body.find("2024-05-06T07:08:09.5Z"), 22, "2024-05-06T09:08:09+02:00");
  request = ParseTelnyxWebhook("acme", body);
  ASSERT_THAT(request, IsOk());
  EXPECT_EQ(request->occurred_time().seconds(), 1714979289);
  EXPECT_EQ(request->occurred_time().nanos(), 0);
}

// Found by tools/fuzz: RFC 3339 times outside google.protobuf.Timestamp's range (and absl's
// "infinite-future") parse, and the daemon refuses a report carrying one; they count as
// unparsable.
TEST(TelnyxEventTest, OccurredAtOutsideTheTimestampRangeLeavesTimeUnset) {
  for (const char* when : {"99999-01-01T00:00:00Z", "0000-12-31T23:59:59Z", "infinite-future"}) {
    std::string body = Body("call.answered");
    body.replace(body.find("2024-05-06T07:08:09.5Z"), 22, when);
    auto request = ParseTelnyxWebhook("acme", body);
    ASSERT_THAT(request, IsOk()) << when;
    EXPECT_FALSE(request->has_occurred_time()) << when;
  }
}

TEST(TelnyxEventTest, MalformedBodiesNameTheField) {
  const std::pair<std::string, std::string> cases[] = {
      {"", "JSON"},
      {"not json", "JSON"},
      {"{\"data\":", "JSON"},
      {"[]", "object"},
      {"{}", "data"},
      {R"({"data":[]})", "data"},
      {R"({"data":{"id":"e","payload":{"call_control_id":"c"}}})", "data.event_type"},
      {R"({"data":{"event_type":"","id":"e","payload":{"call_control_id":"c"}}})",
       "data.event_type"},
      {R"({"data":{"event_type":7,"id":"e","payload":{"call_control_id":"c"}}})",
       "data.event_type"},
      {R"({"data":{"event_type":"call.answered","payload":{"call_control_id":"c"}}})", "data.id"},
      {R"({"data":{"event_type":"call.answered","id":null,"payload":{"call_control_id":"c"}}})",
       "data.id"},
      {R"({"data":{"event_type":"call.answered","id":"e"}})", "data.payload"},
      {R"({"data":{"event_type":"call.answered","id":"e","payload":"x"}})", "data.payload"},
      {R"({"data":{"event_type":"call.answered","id":"e","payload":{}}})",
       "data.payload.call_control_id"},
      {R"({"data":{"event_type":"call.answered","id":"e","payload":{"call_control_id":""}}})",
       "data.payload.call_control_id"},
      {R"({"data":{"event_type":"call.answered","id":"e","payload":{"call_control_id":1}}})",
       "data.payload.call_control_id"},
      {Body("call.answered", R"("from":15551234567)"), "data.payload.from"},
      {Body("call.answered", R"("call_leg_id":{})"), "data.payload.call_leg_id"},
      {Body("call.hangup", R"("hangup_cause":["x"])"), "data.payload.hangup_cause"},
      {R"({"data":{"event_type":"call.answered","id":"e","occurred_at":1,"payload":{"call_control_id":"c"}}})",
       "data.occurred_at"},
  };
  for (const auto& [body, field] : cases) {
    auto request = ParseTelnyxWebhook("acme", body);
    EXPECT_THAT(request, StatusIs(absl::StatusCode::kInvalidArgument)) << body;
    EXPECT_THAT(std::string(request.status().message()), HasSubstr(field)) << body;
  }
}

TEST(TelnyxEventTest, ParseEventType) {
  auto event_type = ParseTelnyxEventType(ReadFixture("telnyx_call_hangup.json"));
  ASSERT_THAT(event_type, IsOk());
  EXPECT_EQ(*event_type, "call.hangup");
  // Only the event type is needed.
  event_type = ParseTelnyxEventType(R"({"data":{"event_type":"call.dtmf.received"}})");
  ASSERT_THAT(event_type, IsOk());
  EXPECT_EQ(*event_type, "call.dtmf.received");
  EXPECT_THAT(ParseTelnyxEventType("nope"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseTelnyxEventType(R"({"data":{}})"), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(TelnyxEventTest, CallStateEvents) {
  for (const char* event : {"call.initiated", "call.ringing", "call.answered", "call.bridged",
                            "call.hangup", "call.recording.saved"}) {
    EXPECT_TRUE(IsCallStateEvent(event)) << event;
  }
  for (const char* event : {"call.dtmf.received", "call.speak.ended", "call.playback.started",
                            "call.machine.detection.ended", "call.cost", "streaming.started",
                            "call.recording.error", "", "call.hangup "}) {
    EXPECT_FALSE(IsCallStateEvent(event)) << event;
  }
}

TEST(TelnyxEventTest, CallRecordingSavedFixture) {
  auto request = ParseWithCallId(ReadFixture("telnyx_call_recording_saved.json"));
  ASSERT_THAT(request, IsOk());
  ReportProviderEventRequest expected;
  expected.set_tenant_id("acme");
  expected.set_provider(v1::PROVIDER_TELNYX);
  expected.set_call_id(kCallId);
  expected.mutable_provider_ids()->set_call_control_id(kCallControlId);
  expected.mutable_provider_ids()->set_call_leg_id(kCallLegId);
  expected.mutable_provider_ids()->set_call_session_id("428c31b6-abf3-3bc1-b7f4-5013ef9657c1");
  expected.set_provider_status("call.recording.saved");
  expected.set_status(v1::CALL_STATUS_UNSPECIFIED);
  expected.set_provider_sequence(-1);
  expected.mutable_occurred_time()->set_seconds(1517610327);  // 2018-02-02T22:25:27.521992Z
  expected.mutable_occurred_time()->set_nanos(521992000);
  expected.set_duration_seconds(-1);
  expected.set_provider_event_id("0ccc7b54-4df3-4bca-a65a-3da1ecc777f0");
  v1::Recording* recording = expected.mutable_recording();
  recording->set_url("http://example.com/recording.mp3");
  recording->set_duration_seconds(300);  // 22:20:27.521992 -> 22:25:27.521992
  recording->set_status("completed");
  ExpectEqualProto(expected, *request);
}

TEST(TelnyxEventTest, RecordingUrlPreference) {
  struct Case {
    std::string payload;
    std::string url;
  };
  const Case cases[] = {
      {R"("recording_urls":{"mp3":"https://r/a.mp3","wav":"https://r/a.wav"})", "https://r/a.mp3"},
      {R"("recording_urls":{"mp3":null,"wav":"https://r/a.wav"})", "https://r/a.wav"},
      {R"("recording_urls":{},"public_recording_urls":{"mp3":"https://p/a.mp3"})",
       "https://p/a.mp3"},
      {R"("recording_urls":{"mp3":""},"public_recording_urls":{"wav":"https://p/a.wav"})",
       "https://p/a.wav"},
      {R"("recording_urls":null,"public_recording_urls":{"wav":"https://p/a.wav"})",
       "https://p/a.wav"},
  };
  for (const Case& c : cases) {
    auto request = ParseWithCallId(Body("call.recording.saved", c.payload));
    ASSERT_THAT(request, IsOk()) << c.payload;
    EXPECT_EQ(request->recording().url(), c.url) << c.payload;
    EXPECT_EQ(request->recording().status(), "completed");
    EXPECT_EQ(request->recording().duration_seconds(), 0) << "no start/end times";
    EXPECT_EQ(request->status(), v1::CALL_STATUS_UNSPECIFIED);
  }
}

TEST(TelnyxEventTest, RecordingIdAndRoundedDuration) {
  auto request = ParseWithCallId(
      Body("call.recording.saved",
           R"("recording_id":"10cd86ac-fef8-4765-b203-0f7511f9fc75",)"
           R"("recording_started_at":"2022-02-04T11:36:08.148619Z",)"
           R"("recording_ended_at":"2022-02-04T11:36:12.788447Z",)"
           R"("recording_urls":{"wav":"https://s3.example/x.wav"},"public_recording_urls":{})"));
  ASSERT_THAT(request, IsOk());
  EXPECT_EQ(request->recording().recording_id(), "10cd86ac-fef8-4765-b203-0f7511f9fc75");
  EXPECT_EQ(request->recording().url(), "https://s3.example/x.wav");
  EXPECT_EQ(request->recording().duration_seconds(), 5);  // 4.64 s
}

TEST(TelnyxEventTest, RecordingSavedWithoutUrlOrIdCarriesNoRecording) {
  auto request = ParseWithCallId(Body("call.recording.saved"));
  ASSERT_THAT(request, IsOk());
  EXPECT_FALSE(request->has_recording());
  // Only call.recording.saved reads recording fields.
  request = ParseWithCallId(Body("call.answered", R"("recording_urls":{"mp3":"https://r"})"));
  ASSERT_THAT(request, IsOk());
  EXPECT_FALSE(request->has_recording());
}

TEST(TelnyxEventTest, MalformedRecordingFieldsNameTheField) {
  for (const auto& [payload, field] : std::vector<std::pair<std::string, std::string>>{
           {R"("recording_urls":"https://r")", "data.payload.recording_urls"},
           {R"("public_recording_urls":[1])", "data.payload.public_recording_urls"},
           {R"("recording_urls":{"mp3":5})", "data.payload.recording_urls.mp3"},
           {R"("recording_id":7)", "data.payload.recording_id"},
           {R"("recording_started_at":false)", "data.payload.recording_started_at"},
       }) {
    auto request = ParseWithCallId(Body("call.recording.saved", payload));
    EXPECT_THAT(request, StatusIs(absl::StatusCode::kInvalidArgument)) << payload;
    EXPECT_THAT(std::string(request.status().message()), HasSubstr(field)) << payload;
  }
}

}  // namespace
}  // namespace callcontrol::telnyx
