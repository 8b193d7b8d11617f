// WebhookRouter's route matching on its own: paths that no handler serves are answered 404 at
// once (no daemon call), and every /webhooks/ request is counted under the provider and route
// label the registry's handlers give (or "unknown").
#include "webhook_adapter/webhook_router.h"

#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "common/config/config.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "providers/registry.h"
#include "tests/testing/grpc_environment.h"
#include "tests/testing/status_matchers.h"
#include "tests/webhook_adapter/prometheus_text.h"

namespace callcontrol::webhook_adapter {
namespace {

using ::callcontrol::testing::IsOk;

class WebhookRouterMatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const nlohmann::json json = {{"daemon", {{"internal_api_key", "internal-key"}}},
                                 {"tenants",
                                  {{{"id", "acme"},
                                    {"api_keys", {config::HashApiKey("acme-key")}},
                                    {"twilio",
                                     {{"account_sid", "AC00000000000000000000000000000001"},
                                      {"auth_token", "acme-auth-token"}}}}}}};
    auto config = providers::ParseConfig(json.dump());
    ASSERT_THAT(config, IsOk());
    config_ = *std::move(config);
    // Nothing listens there; the requests below never reach the daemon.
    auto daemon = DaemonClient::Create("127.0.0.1:1", DaemonClient::Options{});
    ASSERT_THAT(daemon, IsOk());
    daemon_ = *std::move(daemon);
    router_ = std::make_unique<WebhookRouter>(config_, "https://hooks.example.com", daemon_.get());
  }

  // Sends a request to `target` and returns the answer, which must come at once.
  http::Response Send(const std::string& method, const std::string& target) {
    http::Request request;
    request.method = method;
    request.target = target;
    request.path = target.substr(0, target.find('?'));
    if (target.find('?') != std::string::npos) request.query = target.substr(target.find('?') + 1);
    std::optional<http::Response> answer;
    router_->Handle(std::move(request),
                    [&answer](http::Response response) { answer = std::move(response); });
    EXPECT_TRUE(answer.has_value()) << target << " was not answered at once";
    return answer.value_or(http::Response{});
  }

  double Count(const std::string& provider, const std::string& route, const std::string& code) {
    auto text = ParsePrometheusText(router_->metrics().Serialize());
    EXPECT_THAT(text, IsOk());
    if (!text.ok()) return -1;
    return SampleOr0(*text, "callcontrol_adapter_webhooks_total",
                     {{"provider", provider}, {"route", route}, {"code", code}});
  }

  config::Config config_;
  std::unique_ptr<DaemonClient> daemon_;
  std::unique_ptr<WebhookRouter> router_;
};

TEST_F(WebhookRouterMatchTest, PathsNoRouteServesAre404UnderTheirProvider) {
  struct Case {
    std::string target;
    std::string provider;
    std::string route;
  };
  const Case cases[] = {
      {"/webhooks/", "unknown", "unknown"},
      {"/webhooks/nowhere/acme", "unknown", "unknown"},
      {"/webhooks/Twilio/acme/status", "unknown", "unknown"},
      {"/webhooks/twilio", "twilio", "unknown"},
      {"/webhooks/twilio/acme", "twilio", "unknown"},
      {"/webhooks/twilio/acme/", "twilio", "unknown"},
      {"/webhooks/twilio//status", "twilio", "unknown"},
      {"/webhooks/twilio/acme/status/", "twilio", "unknown"},
      {"/webhooks/twilio/acme/status/x", "twilio", "unknown"},
      {"/webhooks/twilio/acme/other", "twilio", "unknown"},
      {"/webhooks/telnyx", "telnyx", "unknown"},
      {"/webhooks/telnyx/", "telnyx", "unknown"},
      {"/webhooks/telnyx/acme/", "telnyx", "unknown"},
      {"/webhooks/telnyx/acme/x", "telnyx", "unknown"},
      {"/webhooks/exotel/acme", "exotel", "unknown"},
      {"/webhooks/exotel/acme/other?token=t", "exotel", "unknown"},
      {"/webhooks/bolna/acme/x", "bolna", "unknown"},
  };
  for (const Case& c : cases) {
    const double before = Count(c.provider, c.route, "404");
    const http::Response response = Send("POST", c.target);
    EXPECT_EQ(response.status, 404) << c.target;
    EXPECT_EQ(response.body, "not found\n") << c.target;
    EXPECT_EQ(Count(c.provider, c.route, "404"), before + 1) << c.target;
  }
}

TEST_F(WebhookRouterMatchTest, ServedRoutesAreCountedUnderTheHandlersLabels) {
  // Refused by the handler before any daemon call: the route still counts.
  EXPECT_EQ(Send("GET", "/webhooks/twilio/acme/clone-status").status, 405);
  EXPECT_EQ(Count("twilio", "clone-status", "405"), 1);
  EXPECT_EQ(Send("POST", "/webhooks/telnyx/acme?call_id=x").status, 404);  // no telnyx block
  EXPECT_EQ(Count("telnyx", "webhook", "404"), 1);
  EXPECT_EQ(Send("POST", "/webhooks/bolna/acme").status, 404);  // no webhook token
  EXPECT_EQ(Count("bolna", "webhook", "404"), 1);
  EXPECT_EQ(Send("POST", "/webhooks/exotel/acme/status").status, 404);
  EXPECT_EQ(Count("exotel", "status", "404"), 1);
  // A refusal before the signature is checked is no signature failure.
  EXPECT_EQ(Send("POST", "/webhooks/twilio/acme/voice").status, 400);  // not a form
  auto text = ParsePrometheusText(router_->metrics().Serialize());
  ASSERT_THAT(text, IsOk());
  EXPECT_EQ(
      SampleOr0(*text, "callcontrol_adapter_signature_failures_total", {{"provider", "twilio"}}),
      0);
}

TEST_F(WebhookRouterMatchTest, HealthAndMetricsAreNotWebhooks) {
  EXPECT_EQ(Send("POST", "/healthz").status, 405);
  EXPECT_EQ(Send("GET", "/metrics").status, 200);
  EXPECT_EQ(Send("GET", "/nothing").status, 404);
  auto text = ParsePrometheusText(router_->metrics().Serialize());
  ASSERT_THAT(text, IsOk());
  double webhooks = 0;
  for (const auto& [series, value] : text->samples) {
    if (series.rfind("callcontrol_adapter_webhooks_total{", 0) == 0) webhooks += value;
  }
  EXPECT_EQ(webhooks, 0);
}

TEST(WebhookRoutesHelpTest, ListsEveryProvidersRoutes) {
  const std::string help = WebhookRoutesHelp();
  EXPECT_THAT(help, ::testing::HasSubstr(
                        "POST /webhooks/twilio/{tenant}/status|recording|voice|clone-status  "
                        "Twilio: X-Twilio-Signature"));
  EXPECT_THAT(help, ::testing::HasSubstr("POST /webhooks/telnyx/{tenant}  Telnyx: Ed25519"));
  EXPECT_THAT(help, ::testing::HasSubstr("POST /webhooks/exotel/{tenant}/status  Exotel: "));
  EXPECT_THAT(help, ::testing::HasSubstr("POST /webhooks/bolna/{tenant}  Bolna: "));
}

}  // namespace
}  // namespace callcontrol::webhook_adapter
