#include "providers/webhook_urls.h"

#include "gtest/gtest.h"

namespace callcontrol::providers {
namespace {

TEST(WebhookUrlTest, ActionAndQueryInOrder) {
  EXPECT_EQ(
      WebhookUrl("https://hooks.example.com", "twilio", "acme", "status", {{"call_id", "c_123"}}),
      "https://hooks.example.com/webhooks/twilio/acme/status?call_id=c_123");
  EXPECT_EQ(WebhookUrl("http://127.0.0.1:8080", "exotel", "acme", "status",
                       {{"call_id", "c_1"}, {"token", "a b&c"}}),
            "http://127.0.0.1:8080/webhooks/exotel/acme/status?call_id=c_1&token=a%20b%26c");
}

TEST(WebhookUrlTest, NoActionNoQuery) {
  EXPECT_EQ(WebhookUrl("http://h", "telnyx", "acme", ""), "http://h/webhooks/telnyx/acme");
  EXPECT_EQ(WebhookUrl("http://h", "telnyx", "acme", "", {{"call_id", "c_9"}}),
            "http://h/webhooks/telnyx/acme?call_id=c_9");
}

TEST(ParseWebhookPathTest, SplitsProviderTenantAction) {
  auto parts = ParseWebhookPath("/webhooks/twilio/acme/status");
  ASSERT_TRUE(parts.has_value());
  EXPECT_EQ(parts->provider, "twilio");
  EXPECT_EQ(parts->tenant, "acme");
  EXPECT_EQ(parts->action, "status");
  EXPECT_FALSE(parts->extra_segments);

  parts = ParseWebhookPath("/webhooks/bolna/acme");
  ASSERT_TRUE(parts.has_value());
  EXPECT_EQ(parts->tenant, "acme");
  EXPECT_EQ(parts->action, "");
  EXPECT_FALSE(parts->extra_segments);
}

TEST(ParseWebhookPathTest, RoundTripsWhatWebhookUrlBuilds) {
  const std::string url = WebhookUrl("http://h", "twilio", "t-1", "clone-status");
  const std::string path = url.substr(std::string("http://h").size());
  auto parts = ParseWebhookPath(path);  // views into `path`
  ASSERT_TRUE(parts.has_value());
  EXPECT_EQ(parts->provider, "twilio");
  EXPECT_EQ(parts->tenant, "t-1");
  EXPECT_EQ(parts->action, "clone-status");
}

TEST(ParseWebhookPathTest, RefusesOrFlagsWhatNoRouteServes) {
  EXPECT_FALSE(ParseWebhookPath("/healthz").has_value());
  EXPECT_FALSE(ParseWebhookPath("/webhooks/").has_value());
  EXPECT_FALSE(ParseWebhookPath("/webhook/twilio/acme").has_value());
  auto parts = ParseWebhookPath("/webhooks/twilio");
  ASSERT_TRUE(parts.has_value());
  EXPECT_EQ(parts->tenant, "");
  EXPECT_TRUE(ParseWebhookPath("/webhooks/twilio/acme/status/x")->extra_segments);
  EXPECT_TRUE(ParseWebhookPath("/webhooks/telnyx/acme/")->extra_segments);
  EXPECT_EQ(ParseWebhookPath("/webhooks/twilio//status")->tenant, "");
}

}  // namespace
}  // namespace callcontrol::providers
