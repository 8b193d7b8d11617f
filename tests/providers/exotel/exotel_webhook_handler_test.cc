// ExotelWebhookHandler on its own: requests built here (bodies from tests/fixtures), outcomes
// checked without a daemon.
#include "providers/exotel/exotel_webhook_handler.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "providers/registry.h"
#include "tests/providers/webhook_handler_testing.h"
#include "tests/testing/fixtures.h"

namespace callcontrol::exotel {
namespace {

using ::callcontrol::testing::ReadFixture;
using providers::WebhookOutcome;
using providers::testing::ConfigWithTenants;
using providers::testing::MakeRequest;

constexpr char kToken[] = "india-webhook-token-0123456789abcdef";
constexpr char kOtherToken[] = "agents-webhook-token-fedcba9876543210";
constexpr char kCallId[] = "call_0123456789abcdef0123456789abcdef";
constexpr char kCallSid[] = "80bfbec2d78bbbf10fb851f4fa165211";
constexpr char kForm[] = "application/x-www-form-urlencoded";

class ExotelWebhookHandlerTest : public ::testing::Test {
 protected:
  // "india" (Exotel, kToken), "agents" (Bolna, kOtherToken), "acme" (Twilio, no webhook token).
  ExotelWebhookHandlerTest()
      : config_(ConfigWithTenants(
            {{{"id", "india"},
              {"provider", "exotel"},
              {"webhook_token", kToken},
              {"exotel",
               {{"account_sid", "exoindia1"},
                {"api_key", "key"},
                {"api_token", "token"},
                {"caller_id", "08033333333"},
                {"flow_url", "http://my.exotel.com/exoindia1/exoml/start_voice/1"}}}},
             {{"id", "agents"}, {"provider", "bolna"}, {"webhook_token", kOtherToken}},
             {{"id", "acme"},
              {"twilio",
               {{"account_sid", "AC00000000000000000000000000000001"},
                {"auth_token", "acme-auth-token"}}}}})),
        handler_(providers::WebhookContext{&config_, "https://hooks.example.com"}) {}

  WebhookOutcome Post(const std::string& tenant, const std::string& query, std::string body,
                      std::string content_type = kForm,
                      std::vector<std::pair<std::string, std::string>> headers = {}) {
    headers.emplace_back("Content-Type", std::move(content_type));
    return Send("POST", tenant, query, std::move(body), std::move(headers));
  }

  WebhookOutcome Send(const std::string& method, const std::string& tenant,
                      const std::string& query, std::string body,
                      std::vector<std::pair<std::string, std::string>> headers = {}) {
    const std::string target =
        "/webhooks/exotel/" + tenant + "/status" + (query.empty() ? "" : "?" + query);
    request_ = MakeRequest(method, target, std::move(body), std::move(headers));
    const std::string_view path = request_.path;
    return handler_.Handle(0, path.substr(path.find(tenant), tenant.size()), request_);
  }

  static std::string TokenQuery() { return std::string("token=") + kToken + "&call_id=" + kCallId; }

  const config::Config config_;
  const ExotelWebhookHandler handler_;
  http::Request request_;
};

TEST_F(ExotelWebhookHandlerTest, ServesOneStatusRoute) {
  EXPECT_THAT(handler_.actions(), ::testing::ElementsAre("status"));
  EXPECT_EQ(handler_.route_label(0), "status");
  EXPECT_THAT(std::string(handler_.verification()), ::testing::HasSubstr("webhook_token"));
  const providers::Provider* provider = providers::FindProviderNamed("exotel");
  ASSERT_NE(provider, nullptr);
  EXPECT_NE(provider->NewWebhookHandler({&config_, "https://hooks.example.com"}), nullptr);
}

TEST_F(ExotelWebhookHandlerTest, FormWithQueryTokenIsReported) {
  const WebhookOutcome outcome =
      Post("india", TokenQuery(), ReadFixture("exotel_status_terminal.form"));
  ASSERT_EQ(outcome.action, WebhookOutcome::Action::kReport);
  EXPECT_FALSE(outcome.verification_failed);
  EXPECT_EQ(outcome.tenant_id, "india");
  EXPECT_STREQ(outcome.what, "exotel status callback");
  EXPECT_EQ(outcome.call_ref, std::string("call_sid=") + kCallSid);
  EXPECT_EQ(outcome.report.tenant_id(), "india");
  EXPECT_EQ(outcome.report.provider(), v1::PROVIDER_EXOTEL);
  EXPECT_EQ(outcome.report.call_id(), kCallId);
  EXPECT_EQ(outcome.report.provider_ids().call_sid(), kCallSid);
  EXPECT_EQ(outcome.report.status(), v1::CALL_STATUS_COMPLETED);
  EXPECT_EQ(outcome.response.status, 200);
  EXPECT_EQ(outcome.response.body, "{}");
  EXPECT_EQ(outcome.response.content_type, "application/json");
}

TEST_F(ExotelWebhookHandlerTest, JsonWithHeaderTokenIsReported) {
  const WebhookOutcome outcome =
      Post("india", std::string("call_id=") + kCallId, ReadFixture("exotel_status_terminal.json"),
           "application/json; charset=utf-8", {{"X-Webhook-Token", kToken}});
  ASSERT_EQ(outcome.action, WebhookOutcome::Action::kReport);
  EXPECT_EQ(outcome.report.provider_ids().call_sid(), kCallSid);
  EXPECT_EQ(outcome.report.status(), v1::CALL_STATUS_COMPLETED);
}

TEST_F(ExotelWebhookHandlerTest, WrongOrMissingTokenIs403VerificationFailed) {
  const std::string body = ReadFixture("exotel_status_terminal.form");
  struct Case {
    std::string query;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string reason;
  };
  const Case cases[] = {
      {std::string("call_id=") + kCallId, {}, "missing webhook token\n"},
      {"token=", {}, "missing webhook token\n"},
      {"token=nope", {}, "invalid webhook token\n"},
      {std::string("token=") + kOtherToken, {}, "invalid webhook token\n"},  // another tenant's
      {TokenQuery(), {{"X-Webhook-Token", "wrong"}}, "invalid webhook token\n"},  // header wins
  };
  for (const Case& c : cases) {
    const WebhookOutcome outcome = Post("india", c.query, body, kForm, c.headers);
    EXPECT_EQ(outcome.action, WebhookOutcome::Action::kRespond) << c.query;
    EXPECT_TRUE(outcome.verification_failed) << c.query;
    EXPECT_EQ(outcome.response.status, 403) << c.query;
    EXPECT_EQ(outcome.response.body, c.reason) << c.query;
  }
}

TEST_F(ExotelWebhookHandlerTest, TenantWithoutWebhookTokenIs404) {
  for (const char* tenant : {"acme", "nobody"}) {
    const WebhookOutcome outcome =
        Post(tenant, TokenQuery(), ReadFixture("exotel_status_terminal.form"));
    EXPECT_EQ(outcome.action, WebhookOutcome::Action::kRespond) << tenant;
    EXPECT_EQ(outcome.response.status, 404) << tenant;
    EXPECT_EQ(outcome.response.body, "unknown tenant\n");
    EXPECT_FALSE(outcome.verification_failed);
  }
}

TEST_F(ExotelWebhookHandlerTest, NonPostIs405) {
  const WebhookOutcome outcome = Send("GET", "india", TokenQuery(), "");
  EXPECT_EQ(outcome.response.status, 405);
  EXPECT_THAT(outcome.response.headers,
              ::testing::Contains(std::pair<std::string, std::string>("Allow", "POST")));
}

TEST_F(ExotelWebhookHandlerTest, MalformedBodyOrQueryIs400) {
  const std::string body = ReadFixture("exotel_status_terminal.form");
  EXPECT_EQ(Post("india", TokenQuery(), body, "text/plain").response.status, 400);
  EXPECT_EQ(Post("india", TokenQuery(), "Status=completed").response.body, "CallSid is required\n");
  EXPECT_EQ(Post("india", TokenQuery(), "CallSid=%zz&Status=completed").response.body,
            "malformed form body\n");
  EXPECT_EQ(Post("india", TokenQuery(), "[1,2]", "application/json").response.status, 400);
  const WebhookOutcome bad_query =
      Post("india", "call_id=%zz", body, kForm, {{"X-Webhook-Token", kToken}});
  EXPECT_EQ(bad_query.response.status, 400);
  EXPECT_EQ(bad_query.response.body, "malformed query string\n");
  EXPECT_FALSE(bad_query.verification_failed);
}

}  // namespace
}  // namespace callcontrol::exotel
