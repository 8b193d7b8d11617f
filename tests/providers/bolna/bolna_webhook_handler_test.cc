// BolnaWebhookHandler on its own: requests built here (bodies from tests/fixtures), outcomes
// checked without a daemon.
#include "providers/bolna/bolna_webhook_handler.h"

#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "providers/registry.h"
#include "tests/providers/webhook_handler_testing.h"
#include "tests/testing/fixtures.h"

namespace callcontrol::bolna {
namespace {

using ::callcontrol::testing::ReadFixture;
using providers::WebhookOutcome;
using providers::testing::ConfigWithTenants;
using providers::testing::MakeRequest;

constexpr char kToken[] = "agents-webhook-token-fedcba9876543210";
constexpr char kOtherToken[] = "other-webhook-token-0123456789abcdef";
constexpr char kCallId[] = "call_0123456789abcdef0123456789abcdef";
constexpr char kExecutionId[] = "4c06b4d1-4096-4561-919a-4f94539c8d4a";
constexpr char kJson[] = "application/json";

class BolnaWebhookHandlerTest : public ::testing::Test {
 protected:
  // "agents" (Bolna, kToken), "other" (Bolna, kOtherToken), "acme" (Twilio, no webhook token).
  BolnaWebhookHandlerTest()
      : config_(ConfigWithTenants(
            {{{"id", "agents"}, {"provider", "bolna"}, {"webhook_token", kToken}},
             {{"id", "other"}, {"provider", "bolna"}, {"webhook_token", kOtherToken}},
             {{"id", "acme"},
              {"twilio",
               {{"account_sid", "AC00000000000000000000000000000001"},
                {"auth_token", "acme-auth-token"}}}}})),
        handler_(providers::WebhookContext{&config_, "https://hooks.example.com"}) {}

  WebhookOutcome Send(const std::string& method, const std::string& tenant,
                      const std::string& query, std::string body, std::string content_type = kJson,
                      std::vector<std::pair<std::string, std::string>> headers = {}) {
    headers.emplace_back("Content-Type", std::move(content_type));
    request_ = MakeRequest(method, "/webhooks/bolna/" + tenant + (query.empty() ? "" : "?" + query),
                           std::move(body), std::move(headers));
    const std::string_view path = request_.path;
    return handler_.Handle(0, path.substr(path.rfind('/') + 1), request_);
  }
  WebhookOutcome Post(const std::string& query, std::string body, std::string content_type = kJson,
                      std::vector<std::pair<std::string, std::string>> headers = {}) {
    return Send("POST", "agents", query, std::move(body), std::move(content_type),
                std::move(headers));
  }

  static std::string TokenQuery() { return std::string("token=") + kToken; }

  const config::Config config_;
  const BolnaWebhookHandler handler_;
  http::Request request_;
};

TEST_F(BolnaWebhookHandlerTest, ServesTheTenantItself) {
  EXPECT_THAT(handler_.actions(), ::testing::ElementsAre(""));
  EXPECT_EQ(handler_.route_label(0), "webhook");
  const providers::Provider* provider = providers::FindProviderNamed("bolna");
  ASSERT_NE(provider, nullptr);
  EXPECT_NE(provider->NewWebhookHandler({&config_, "https://hooks.example.com"}), nullptr);
}

TEST_F(BolnaWebhookHandlerTest, ExecutionIsReported) {
  const WebhookOutcome outcome =
      Post(TokenQuery() + "&call_id=" + kCallId, ReadFixture("bolna_execution.json"));
  ASSERT_EQ(outcome.action, WebhookOutcome::Action::kReport);
  EXPECT_FALSE(outcome.verification_failed);
  EXPECT_EQ(outcome.tenant_id, "agents");
  EXPECT_STREQ(outcome.what, "bolna webhook");
  EXPECT_EQ(outcome.call_ref, std::string("execution_id=") + kExecutionId + " status=completed");
  EXPECT_EQ(outcome.report.tenant_id(), "agents");
  EXPECT_EQ(outcome.report.provider(), v1::PROVIDER_BOLNA);
  EXPECT_EQ(outcome.report.call_id(), kCallId);
  EXPECT_EQ(outcome.report.provider_ids().execution_id(), kExecutionId);
  EXPECT_EQ(outcome.report.status(), v1::CALL_STATUS_COMPLETED);
  EXPECT_EQ(outcome.response.status, 200);
  EXPECT_EQ(outcome.response.body, "{}");
  EXPECT_EQ(outcome.response.content_type, "application/json");
}

TEST_F(BolnaWebhookHandlerTest, HeaderTokenIsAccepted) {
  const WebhookOutcome outcome =
      Post("", ReadFixture("bolna_execution.json"), kJson, {{"X-Webhook-Token", kToken}});
  ASSERT_EQ(outcome.action, WebhookOutcome::Action::kReport);
  EXPECT_EQ(outcome.report.call_id(), "");
}

TEST_F(BolnaWebhookHandlerTest, WrongOrMissingTokenIs403VerificationFailed) {
  const std::string body = ReadFixture("bolna_execution.json");
  for (const std::string& query :
       {std::string(), std::string("token=wrong"), std::string("token=") + kOtherToken}) {
    const WebhookOutcome outcome = Post(query, body);
    EXPECT_EQ(outcome.action, WebhookOutcome::Action::kRespond) << query;
    EXPECT_TRUE(outcome.verification_failed) << query;
    EXPECT_EQ(outcome.response.status, 403) << query;
  }
  EXPECT_EQ(Post("", body).response.body, "missing webhook token\n");
  EXPECT_EQ(Post("token=wrong", body).response.body, "invalid webhook token\n");
}

TEST_F(BolnaWebhookHandlerTest, TenantWithoutWebhookTokenIs404) {
  for (const char* tenant : {"acme", "nobody"}) {
    const WebhookOutcome outcome =
        Send("POST", tenant, TokenQuery(), ReadFixture("bolna_execution.json"));
    EXPECT_EQ(outcome.response.status, 404) << tenant;
    EXPECT_EQ(outcome.response.body, "unknown tenant\n");
  }
}

TEST_F(BolnaWebhookHandlerTest, NonPostIs405) {
  EXPECT_EQ(
      Send("PUT", "agents", TokenQuery(), ReadFixture("bolna_execution.json")).response.status,
      405);
}

TEST_F(BolnaWebhookHandlerTest, MalformedBodyIs400) {
  const std::string body = ReadFixture("bolna_execution.json");
  EXPECT_EQ(Post(TokenQuery(), body, "application/x-www-form-urlencoded").response.body,
            "Content-Type must be application/json\n");
  EXPECT_EQ(Post(TokenQuery(), R"({"status":"completed"})").response.status, 400);
  const WebhookOutcome broken = Post(TokenQuery(), "{");
  EXPECT_EQ(broken.action, WebhookOutcome::Action::kRespond);
  EXPECT_EQ(broken.response.status, 400);
  EXPECT_FALSE(broken.verification_failed);
}

}  // namespace
}  // namespace callcontrol::bolna
