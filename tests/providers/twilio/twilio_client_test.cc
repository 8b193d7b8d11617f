// TwilioClient's create request against a fake Twilio API (FakeProviderApi: a real HTTP server on
// 127.0.0.1:0) that records each request and answers a Call resource shaped like
// Twilio's Call resource (https://www.twilio.com/docs/voice/api/call-resource#call-properties).
#include "providers/twilio/twilio_client.h"

#include <string>
#include <vector>

#include "common/http/form.h"
#include "common/http/http_server.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/fake_provider_api.h"
#include "tests/testing/status_matchers.h"

namespace callcontrol::providers {
namespace {

using ::callcontrol::testing::FakeProviderApi;
using ::callcontrol::testing::IsOk;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;

constexpr char kAccountSid[] = "AC00000000000000000000000000000001";

// The create answer: the fields of fixtures/twilio_call_resource_fixture.json the client reads,
// as Twilio returns them for a new outbound call.
constexpr char kQueuedCall[] = R"({
  "account_sid": "AC00000000000000000000000000000001",
  "sid": "CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
  "status": "queued",
  "duration": null,
  "direction": "outbound-api"
})";

class TwilioClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_THAT(api_.Start(), IsOk());
    api_.Answer(201, kQueuedCall);
    account_.account_sid = kAccountSid;
    account_.auth_token = "test-auth-token";
    account_.api_base_url = api_.base_url();
  }

  // Creates `create` and returns the form the fake Twilio received.
  http::FormParams CreateAndCapture(const TwilioCreateCall& create) {
    auto call = client_.CreateCall(account_, create);
    EXPECT_THAT(call, IsOk());
    if (call.ok()) {
      EXPECT_EQ(call->sid, "CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
      EXPECT_EQ(call->status, "queued");
    }
    const std::vector<http::Request> requests = api_.Requests();
    EXPECT_EQ(requests.size(), 1u);
    if (requests.empty()) return {};
    EXPECT_EQ(requests[0].method, "POST");
    EXPECT_EQ(requests[0].path, std::string("/2010-04-01/Accounts/") + kAccountSid + "/Calls.json");
    EXPECT_EQ(requests[0].Header("content-type"), "application/x-www-form-urlencoded");
    auto form = http::ParseForm(requests[0].body);
    EXPECT_THAT(form, IsOk());
    return form.ok() ? *form : http::FormParams{};
  }

  static TwilioCreateCall SampleCreate() {
    TwilioCreateCall create;
    create.to = "+15558675310";
    create.from = "+15017122661";
    create.twiml = "<Response><Pause length=\"600\"/></Response>";
    create.status_callback = "https://hooks.example.com/webhooks/twilio/acme/status?call_id=call_1";
    return create;
  }

  // The parameters whose names start with "Record".
  static http::FormParams RecordParams(const http::FormParams& form) {
    http::FormParams out;
    for (const auto& param : form) {
      if (param.first.rfind("Record", 0) == 0) out.push_back(param);
    }
    return out;
  }

  FakeProviderApi api_;
  TwilioClient client_{TwilioClient::Options{}};
  twilio::TwilioAccount account_;
};

TEST_F(TwilioClientTest, CreateSendsStatusCallbackParamsAndNoRecordingByDefault) {
  const http::FormParams form = CreateAndCapture(SampleCreate());
  EXPECT_THAT(form, Contains(Pair("To", "+15558675310")));
  EXPECT_THAT(form, Contains(Pair("From", "+15017122661")));
  EXPECT_THAT(form, Contains(Pair("Twiml", "<Response><Pause length=\"600\"/></Response>")));
  EXPECT_THAT(form, Contains(Pair("StatusCallback", SampleCreate().status_callback)));
  EXPECT_THAT(form, Contains(Pair("StatusCallbackMethod", "POST")));
  EXPECT_THAT(RecordParams(form), IsEmpty());
}

TEST_F(TwilioClientTest, CreateAsksTwilioToRecordWithTheRecordingCallbackWhenAsked) {
  TwilioCreateCall create = SampleCreate();
  create.record = true;
  create.recording_status_callback =
      "https://hooks.example.com/webhooks/twilio/acme/recording?call_id=call_1";
  const http::FormParams form = CreateAndCapture(create);
  EXPECT_THAT(RecordParams(form), ElementsAre(Pair("Record", "true"),
                                              Pair("RecordingStatusCallback",
                                                   "https://hooks.example.com/webhooks/twilio/acme/"
                                                   "recording?call_id=call_1"),
                                              Pair("RecordingStatusCallbackMethod", "POST"),
                                              Pair("RecordingStatusCallbackEvent", "completed")));
  // The status callbacks are unchanged by recording.
  EXPECT_THAT(form, Contains(Pair("StatusCallback", create.status_callback)));
}

TEST_F(TwilioClientTest, CreateWithoutRecordSendsNoRecordingCallbackEvenIfAUrlIsSet) {
  TwilioCreateCall create = SampleCreate();
  create.recording_status_callback =
      "https://hooks.example.com/webhooks/twilio/acme/recording?call_id=call_1";
  EXPECT_THAT(RecordParams(CreateAndCapture(create)), IsEmpty());
}

}  // namespace
}  // namespace callcontrol::providers
