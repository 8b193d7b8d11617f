// StartCall's checks (server/calls/start_call_request.h), apart from any state.
#include "server/calls/start_call_request.h"

#include <gtest/gtest.h>

#include "tests/fakes/fake_call_client.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/tenant_config.h"

namespace callcontrol::calls {
namespace {

using ::callcontrol::testing::IsOk;
using ::callcontrol::testing::StatusIs;

class StartCallRequestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto config = testing::ConfigWithTenants(R"([
      {"id": "acme", "default_from": "+15005550006",
       "twilio": {"account_sid": "AC00000000000000000000000000000001", "auth_token": "secret"}}])");
    ASSERT_THAT(config, IsOk()) << config.status();
    config_ = *std::move(config);
    clients_.Set(v1::PROVIDER_TWILIO, std::make_unique<testing::FakeCallClient>());
  }

  absl::StatusOr<NewCall> Check(const v1::StartCallRequest& request,
                                const std::string& tenant = "acme") {
    return CheckStartCall(config_, clients_, tenant, request);
  }

  config::Config config_;
  ProviderClients clients_;
};

TEST_F(StartCallRequestTest, FillsTheDialRequestWithTheTenantsDefaults) {
  v1::StartCallRequest request;
  request.set_to("+14155550100");
  auto call = Check(request);
  ASSERT_THAT(call, IsOk());
  EXPECT_EQ(call->dial.to, "+14155550100");
  EXPECT_EQ(call->dial.from, "+15005550006");
  EXPECT_EQ(call->dial.twiml, config_.tenants[0].default_twiml);
  EXPECT_EQ(call->dial.public_url, "https://hooks.example.com");
  EXPECT_EQ(call->dial.tenant, &config_.tenants[0]);
  EXPECT_TRUE(call->dial.call_id.empty());
  EXPECT_EQ(call->request_hash, RequestHash("+14155550100", "+15005550006", call->dial.twiml));
}

TEST_F(StartCallRequestTest, RefusesWhatCannotBePlaced) {
  v1::StartCallRequest request;
  request.set_to("0569705616");
  EXPECT_THAT(Check(request), StatusIs(absl::StatusCode::kInvalidArgument));
  request.set_to("+14155550100");
  EXPECT_THAT(Check(request, "initech"), StatusIs(absl::StatusCode::kInvalidArgument));
  request.set_from("+1");
  EXPECT_THAT(Check(request), StatusIs(absl::StatusCode::kInvalidArgument));
  request.clear_from();
  request.set_idempotency_key("has space");
  EXPECT_THAT(Check(request), StatusIs(absl::StatusCode::kInvalidArgument));
  request.set_idempotency_key(std::string(kMaxIdempotencyKey + 1, 'k'));
  EXPECT_THAT(Check(request), StatusIs(absl::StatusCode::kInvalidArgument));
  request.set_idempotency_key(std::string(kMaxIdempotencyKey, 'k'));
  EXPECT_THAT(Check(request), IsOk());
  request.set_twiml(std::string(kMaxTwiml + 1, ' '));
  EXPECT_THAT(Check(request), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(StartCallRequestTest, AProviderWithoutACallClientIsAPreconditionFailure) {
  ProviderClients none;
  v1::StartCallRequest request;
  request.set_to("+14155550100");
  EXPECT_THAT(CheckStartCall(config_, none, "acme", request),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST_F(StartCallRequestTest, AReusedKeyReplaysOnlyTheSameRequest) {
  v1::StartCallRequest request;
  request.set_to("+14155550100");
  request.set_idempotency_key("order-1");
  auto call = Check(request);
  ASSERT_THAT(call, IsOk());
  v1::Call existing;
  existing.set_call_id("call_1");
  EXPECT_THAT(ReplayIdempotent(existing, call->request_hash, *call), IsOk());
  EXPECT_THAT(ReplayIdempotent(existing, "another hash", *call),
              StatusIs(absl::StatusCode::kAlreadyExists));
}

}  // namespace
}  // namespace callcontrol::calls
