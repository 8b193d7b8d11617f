// TelnyxCallClient (providers/telnyx/telnyx_call_client.h) against a fake Telnyx API
// (FakeProviderApi): the webhook URL, command_id and client_state of a dial, the per-leg
// command_id of a hangup, error 90018 read as "already over", and the TwiML refusal.
#include "providers/telnyx/telnyx_call_client.h"

#include <memory>
#include <string>

#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "providers/registry.h"
#include "tests/testing/fake_provider_api.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/tenant_config.h"

namespace callcontrol::telnyx {
namespace {

using ::callcontrol::testing::FakeProviderApi;
using ::callcontrol::testing::IsOk;
using ::callcontrol::testing::StatusIs;
using json = nlohmann::json;

constexpr char kDialResponse[] = R"({"data": {
  "call_control_id": "v3:MdI91X4lWFEs7IgbBEOT9M4AigoY08M0WWZFISt1Yw2axZ_IiE4pqg",
  "call_leg_id": "428c31b6-7af4-4bcb-b7f5-5013ef9657c1",
  "call_session_id": "428c31b6-abf3-3bc1-b7f4-5013ef9657c1"}})";

class TelnyxCallClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_THAT(api_.Start(), IsOk());
    auto config = testing::ConfigWithTenants(
        R"([{"id": "globex", "provider": "telnyx", "default_from": "+15005550007",
             "telnyx": {"api_key": "KEYtest", "connection_id": "1234",
                        "public_key": "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=",
                        "api_base_url": ")" +
        api_.base_url() + R"("}}])");
    ASSERT_THAT(config, IsOk());
    config_ = *std::move(config);
  }
  const config::TenantConfig& tenant() const { return config_.tenants.at(0); }

  v1::Call Leg() const {
    v1::Call call;
    call.set_call_id("call_0456");
    call.set_status(v1::CALL_STATUS_RINGING);
    call.mutable_provider_ids()->set_call_control_id("v3:leg-a");
    return call;
  }

  FakeProviderApi api_;
  config::Config config_;
  TelnyxCallClient client_{
      std::make_unique<const providers::TelnyxClient>(providers::TelnyxClient::Options{})};
};

TEST_F(TelnyxCallClientTest, DialCarriesTheCallIdInTheUrlTheCommandIdAndTheClientState) {
  api_.Answer(200, kDialResponse);
  providers::DialRequest request;
  request.tenant = &tenant();
  request.call_id = "call_0456";
  request.to = "+13129457420";
  request.from = "+15005550007";
  request.public_url = "https://hooks.example.com";
  auto update = client_.Dial(request);
  ASSERT_THAT(update, IsOk());
  EXPECT_EQ(update->provider_ids.call_control_id(),
            "v3:MdI91X4lWFEs7IgbBEOT9M4AigoY08M0WWZFISt1Yw2axZ_IiE4pqg");
  EXPECT_EQ(update->provider_ids.call_leg_id(), "428c31b6-7af4-4bcb-b7f5-5013ef9657c1");
  EXPECT_EQ(update->provider_ids.call_session_id(), "428c31b6-abf3-3bc1-b7f4-5013ef9657c1");
  EXPECT_EQ(update->status, v1::CALL_STATUS_UNSPECIFIED);

  const auto requests = api_.Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].path, "/v2/calls");
  const json body = json::parse(requests[0].body);
  // The call id travels in the signed client_state only, never in the unsigned URL.
  EXPECT_EQ(body["webhook_url"], "https://hooks.example.com/webhooks/telnyx/globex");
  EXPECT_EQ(body["command_id"], "dial-call_0456");
  EXPECT_EQ(body["client_state"], absl::Base64Escape("call_0456"));
  EXPECT_EQ(body["to"], "+13129457420");
  EXPECT_EQ(body["from"], "+15005550007");
}

TEST_F(TelnyxCallClientTest, DialsAreRetryable) { EXPECT_TRUE(client_.dial_retryable()); }

TEST_F(TelnyxCallClientTest, StartCallRefusesTwiml) {
  v1::StartCallRequest request;
  EXPECT_THAT(client_.CheckStartCall(tenant(), request), IsOk());
  request.set_twiml("<Response/>");
  EXPECT_THAT(client_.CheckStartCall(tenant(), request),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "twiml is for Twilio tenants; tenant globex places calls through Telnyx"));
}

TEST_F(TelnyxCallClientTest, HangupNeedsACallControlId) {
  v1::Call call = Leg();
  EXPECT_THAT(client_.CheckHangup(call), IsOk());
  call.clear_provider_ids();
  EXPECT_THAT(client_.CheckHangup(call),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       "call call_0456 has no call_control_id yet (Telnyx has not accepted it); "
                       "retry shortly"));
}

TEST_F(TelnyxCallClientTest, HangupSendsACommandIdFixedPerLeg) {
  api_.Answer(200, R"({"data": {"result": "ok"}})");
  auto update = client_.Hangup(tenant(), Leg());
  ASSERT_THAT(update, IsOk());
  ASSERT_TRUE(update->has_value());
  EXPECT_EQ((*update)->status, v1::CALL_STATUS_UNSPECIFIED);  // the webhook tells the outcome
  const auto requests = api_.Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].path, "/v2/calls/v3:leg-a/actions/hangup");
  EXPECT_EQ(json::parse(requests[0].body)["command_id"], "hangup-call_0456");
}

TEST_F(TelnyxCallClientTest, HangupOfAnEndedCallIsNotAnError) {
  api_.Answer(422, R"({"errors": [{"code": "90018", "title": "Call has already ended"}]})");
  auto update = client_.Hangup(tenant(), Leg());
  ASSERT_THAT(update, IsOk());
  EXPECT_FALSE(update->has_value());
}

TEST_F(TelnyxCallClientTest, HangupReportsTransientFailures) {
  api_.Answer(503, "");
  EXPECT_THAT(client_.Hangup(tenant(), Leg()), StatusIs(absl::StatusCode::kUnavailable));
}

TEST(TelnyxProviderTest, MakesACallClient) {
  const providers::Provider* telnyx = providers::FindProvider(v1::PROVIDER_TELNYX);
  ASSERT_NE(telnyx, nullptr);
  EXPECT_NE(telnyx->NewCallClient(), nullptr);
}

}  // namespace
}  // namespace callcontrol::telnyx
