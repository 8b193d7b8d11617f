// TwilioCallClient (providers/twilio/twilio_call_client.h) against a fake Twilio API
// (FakeProviderApi): the callback URLs it builds, recording, the canceled -> completed switch of
// a hangup and error 21220 read as "already over".
#include "providers/twilio/twilio_call_client.h"

#include <memory>
#include <string>
#include <vector>

#include "common/http/form.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "providers/registry.h"
#include "tests/testing/fake_provider_api.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/tenant_config.h"

namespace callcontrol::twilio {
namespace {

using ::callcontrol::testing::FakeProviderApi;
using ::callcontrol::testing::IsOk;
using ::callcontrol::testing::StatusIs;
using ::testing::Contains;
using ::testing::Not;
using ::testing::Pair;

constexpr char kSid[] = "CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

std::string CallResource(const std::string& status, const std::string& duration = "null") {
  return R"({"sid": ")" + std::string(kSid) + R"(", "status": ")" + status + R"(", "duration": )" +
         duration + "}";
}

class TwilioCallClientTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_THAT(api_.Start(), IsOk()); }

  // Tenant "acme" on the fake API; `record` sets the block's "record".
  const config::TenantConfig& Tenant(bool record = false) {
    auto config = testing::ConfigWithTenants(
        R"([{"id": "acme", "default_from": "+15005550006",
             "twilio": {"account_sid": "AC00000000000000000000000000000001",
                        "auth_token": "secret", "record": )" +
        std::string(record ? "true" : "false") + R"(, "api_base_url": ")" + api_.base_url() +
        R"("}}])");
    EXPECT_THAT(config, IsOk());
    config_ = *std::move(config);
    return config_.tenants.at(0);
  }

  providers::DialRequest Request(const config::TenantConfig& tenant) {
    providers::DialRequest request;
    request.tenant = &tenant;
    request.call_id = "call_0123";
    request.to = "+15558675310";
    request.from = "+15017122661";
    request.twiml = "<Response/>";
    request.public_url = "https://hooks.example.com";
    return request;
  }

  v1::Call Leg(v1::CallStatus status) {
    v1::Call call;
    call.set_call_id("call_0123");
    call.set_status(status);
    call.mutable_provider_ids()->set_call_sid(kSid);
    return call;
  }

  // The Status parameter of every request the fake received.
  std::vector<std::string> StatusesSent() {
    std::vector<std::string> out;
    for (const auto& request : api_.Requests()) {
      auto form = http::ParseForm(request.body);
      EXPECT_THAT(form, IsOk());
      if (const std::string* status = http::FindParam(*form, "Status")) out.push_back(*status);
    }
    return out;
  }

  FakeProviderApi api_;
  config::Config config_;
  TwilioCallClient client_{
      std::make_unique<const providers::TwilioClient>(providers::TwilioClient::Options{})};
};

TEST_F(TwilioCallClientTest, DialSendsTheCallbackUrlsWithTheCallId) {
  api_.Answer(201, CallResource("queued"));
  const config::TenantConfig& tenant = Tenant(/*record=*/true);
  auto update = client_.Dial(Request(tenant));
  ASSERT_THAT(update, IsOk());
  EXPECT_EQ(update->provider_ids.call_sid(), kSid);
  EXPECT_EQ(update->status, v1::CALL_STATUS_QUEUED);
  EXPECT_EQ(update->provider_status, "queued");
  const auto requests = api_.Requests();
  ASSERT_EQ(requests.size(), 1u);
  auto form = http::ParseForm(requests[0].body);
  ASSERT_THAT(form, IsOk());
  EXPECT_THAT(*form, Contains(Pair("To", "+15558675310")));
  EXPECT_THAT(*form, Contains(Pair("From", "+15017122661")));
  EXPECT_THAT(*form, Contains(Pair("Twiml", "<Response/>")));
  EXPECT_THAT(*form, Contains(Pair("StatusCallback",
                                   "https://hooks.example.com/webhooks/twilio/acme/"
                                   "status?call_id=call_0123")));
  EXPECT_THAT(*form, Contains(Pair("Record", "true")));
  EXPECT_THAT(*form, Contains(Pair("RecordingStatusCallback",
                                   "https://hooks.example.com/webhooks/twilio/acme/"
                                   "recording?call_id=call_0123")));
}

TEST_F(TwilioCallClientTest, DialRecordsOnlyWhenTheTenantAsks) {
  api_.Answer(201, CallResource("queued"));
  const config::TenantConfig& tenant = Tenant();
  ASSERT_THAT(client_.Dial(Request(tenant)), IsOk());
  auto form = http::ParseForm(api_.Requests().at(0).body);
  ASSERT_THAT(form, IsOk());
  EXPECT_EQ(http::FindParam(*form, "Record"), nullptr);
  EXPECT_EQ(http::FindParam(*form, "RecordingStatusCallback"), nullptr);
}

TEST_F(TwilioCallClientTest, DialIsNotRetryableAndReportsTransientFailures) {
  EXPECT_FALSE(client_.dial_retryable());
  api_.Answer(503, R"({"code": 20500, "message": "Internal Server Error"})");
  const config::TenantConfig& tenant = Tenant();
  EXPECT_THAT(client_.Dial(Request(tenant)), StatusIs(absl::StatusCode::kUnavailable));
}

TEST_F(TwilioCallClientTest, StartCallTakesEveryField) {
  v1::StartCallRequest request;
  request.set_twiml("<Response/>");
  EXPECT_THAT(client_.CheckStartCall(Tenant(), request), IsOk());
}

TEST_F(TwilioCallClientTest, HangupNeedsACallSid) {
  v1::Call call = Leg(v1::CALL_STATUS_QUEUED);
  EXPECT_THAT(client_.CheckHangup(call), IsOk());
  call.clear_provider_ids();
  EXPECT_THAT(client_.CheckHangup(call),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       "call call_0123 has no provider id yet (the provider has not accepted "
                       "it); retry shortly"));
}

TEST_F(TwilioCallClientTest, HangupCompletesAnAnsweredCall) {
  api_.Answer(200, CallResource("completed", "\"12\""));
  auto update = client_.Hangup(Tenant(), Leg(v1::CALL_STATUS_IN_PROGRESS));
  ASSERT_THAT(update, IsOk());
  ASSERT_TRUE(update->has_value());
  EXPECT_EQ((*update)->status, v1::CALL_STATUS_COMPLETED);
  EXPECT_EQ((*update)->provider_status, "completed");
  EXPECT_EQ(StatusesSent(), std::vector<std::string>({"completed"}));
  EXPECT_EQ(api_.Requests().at(0).path,
            std::string("/2010-04-01/Accounts/AC00000000000000000000000000000001/Calls/") + kSid +
                ".json");
}

TEST_F(TwilioCallClientTest, HangupCancelsARingingCall) {
  api_.Answer(200, CallResource("canceled"));
  auto update = client_.Hangup(Tenant(), Leg(v1::CALL_STATUS_RINGING));
  ASSERT_THAT(update, IsOk());
  ASSERT_TRUE(update->has_value());
  EXPECT_EQ((*update)->status, v1::CALL_STATUS_CANCELED);
  EXPECT_EQ(StatusesSent(), std::vector<std::string>({"canceled"}));
}

TEST_F(TwilioCallClientTest, HangupSwitchesToCompletedWhenTheCallWasAnsweredMeanwhile) {
  api_.AnswerNext(200, CallResource("in-progress"));
  api_.Answer(200, CallResource("completed", "\"3\""));
  auto update = client_.Hangup(Tenant(), Leg(v1::CALL_STATUS_RINGING));
  ASSERT_THAT(update, IsOk());
  ASSERT_TRUE(update->has_value());
  EXPECT_EQ((*update)->status, v1::CALL_STATUS_COMPLETED);
  EXPECT_EQ((*update)->duration_seconds, 3);
  EXPECT_EQ(StatusesSent(), std::vector<std::string>({"canceled", "completed"}));
}

TEST_F(TwilioCallClientTest, HangupOfACallNoLongerInProgressIsNotAnError) {
  api_.Answer(400, R"({"code": 21220, "message": "Call is not in-progress. Cannot redirect.",
                       "status": 400})");
  auto update = client_.Hangup(Tenant(), Leg(v1::CALL_STATUS_IN_PROGRESS));
  ASSERT_THAT(update, IsOk());
  EXPECT_FALSE(update->has_value());
}

TEST_F(TwilioCallClientTest, HangupReportsOtherRefusalsAndTransientFailures) {
  api_.Answer(400, R"({"code": 20404, "message": "not found", "status": 404})");
  EXPECT_THAT(client_.Hangup(Tenant(), Leg(v1::CALL_STATUS_RINGING)),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  api_.Answer(503, "");
  EXPECT_THAT(client_.Hangup(Tenant(), Leg(v1::CALL_STATUS_RINGING)),
              StatusIs(absl::StatusCode::kUnavailable));
}

TEST(TwilioProviderTest, MakesACallClient) {
  const providers::Provider* twilio = providers::FindProvider(v1::PROVIDER_TWILIO);
  ASSERT_NE(twilio, nullptr);
  EXPECT_NE(twilio->NewCallClient(), nullptr);
}

}  // namespace
}  // namespace callcontrol::twilio
