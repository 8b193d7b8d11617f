// ExotelCallClient (providers/exotel/exotel_call_client.h) against a fake Exotel API
// (FakeProviderApi): From is the number called, the status callback carries the call id and the
// tenant's webhook token, CustomField the call id; there is no hangup.
#include "providers/exotel/exotel_call_client.h"

#include <memory>
#include <string>

#include "common/http/form.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "providers/registry.h"
#include "tests/testing/fake_provider_api.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/tenant_config.h"

namespace callcontrol::exotel {
namespace {

using ::callcontrol::testing::FakeProviderApi;
using ::callcontrol::testing::IsOk;
using ::callcontrol::testing::StatusIs;
using ::testing::Contains;
using ::testing::Pair;

class ExotelCallClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_THAT(api_.Start(), IsOk());
    auto config = testing::ConfigWithTenants(
        R"([{"id": "initech", "provider": "exotel", "default_from": "+919876500000",
             "webhook_token": "t0k/en+1",
             "exotel": {"account_sid": "initech1", "api_key": "k", "api_token": "t",
                        "caller_id": "09513886363",
                        "flow_url": "http://my.exotel.com/initech1/exoml/start_voice/1",
                        "api_base_url": ")" +
        api_.base_url() + R"("}}])");
    ASSERT_THAT(config, IsOk());
    config_ = *std::move(config);
  }
  const config::TenantConfig& tenant() const { return config_.tenants.at(0); }

  FakeProviderApi api_;
  config::Config config_;
  ExotelCallClient client_{
      std::make_unique<const providers::ExotelClient>(providers::ExotelClient::Options{})};
};

TEST_F(ExotelCallClientTest, DialCallsToAndCarriesTheCallIdAndToken) {
  api_.Answer(200, R"({"Call": {"Sid": "b6cfaf5e2d1f4f8a9b0c1d2e3f4a1a2b",
                                "Status": "in-progress"}})");
  providers::DialRequest request;
  request.tenant = &tenant();
  request.call_id = "call_0789";
  request.to = "+919876543210";
  request.from = "+919876500000";
  request.public_url = "https://hooks.example.com";
  auto update = client_.Dial(request);
  ASSERT_THAT(update, IsOk());
  EXPECT_EQ(update->provider_ids.call_sid(), "b6cfaf5e2d1f4f8a9b0c1d2e3f4a1a2b");
  // "in-progress" only means Exotel is working on the request: no status news.
  EXPECT_EQ(update->status, v1::CALL_STATUS_UNSPECIFIED);

  const auto requests = api_.Requests();
  ASSERT_EQ(requests.size(), 1u);
  auto form = http::ParseForm(requests[0].body);
  ASSERT_THAT(form, IsOk());
  EXPECT_THAT(*form, Contains(Pair("From", "+919876543210")));
  EXPECT_THAT(*form, Contains(Pair("StatusCallback",
                                   "https://hooks.example.com/webhooks/exotel/initech/"
                                   "status?call_id=call_0789&token=t0k%2Fen%2B1")));
  EXPECT_THAT(*form, Contains(Pair("CustomField", "call_0789")));
  EXPECT_FALSE(client_.dial_retryable());
}

TEST_F(ExotelCallClientTest, DialReportsRefusals) {
  api_.Answer(403, R"({"RestException": {"Status": 403, "Code": 10, "Message": "no"}})");
  providers::DialRequest request;
  request.tenant = &tenant();
  request.call_id = "call_0789";
  request.to = "+919876543210";
  request.public_url = "https://hooks.example.com";
  EXPECT_THAT(client_.Dial(request), StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST_F(ExotelCallClientTest, StartCallTakesEveryField) {
  v1::StartCallRequest request;
  request.set_twiml("<Response/>");
  EXPECT_THAT(client_.CheckStartCall(tenant(), request), IsOk());
}

TEST_F(ExotelCallClientTest, ThereIsNoHangup) {
  v1::Call call;
  call.set_call_id("call_0789");
  call.mutable_provider_ids()->set_call_sid("b6cf");
  EXPECT_THAT(client_.CheckHangup(call),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       "Exotel offers no API to end a call in progress (call call_0789)"));
  EXPECT_THAT(client_.Hangup(tenant(), call), StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_TRUE(api_.Requests().empty());
}

TEST(ExotelProviderTest, MakesACallClient) {
  const providers::Provider* exotel = providers::FindProvider(v1::PROVIDER_EXOTEL);
  ASSERT_NE(exotel, nullptr);
  EXPECT_NE(exotel->NewCallClient(), nullptr);
}

}  // namespace
}  // namespace callcontrol::exotel
