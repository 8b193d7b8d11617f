// TelnyxWebhookHandler on its own: bodies from tests/fixtures/telnyx_call_*.json signed here with
// a fresh Ed25519 key (telnyx_signature.h), outcomes checked without a daemon.
#include "providers/telnyx/telnyx_webhook_handler.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "providers/registry.h"
#include "providers/telnyx/telnyx_signature.h"
#include "tests/providers/webhook_handler_testing.h"
#include "tests/testing/fixtures.h"

namespace callcontrol::telnyx {
namespace {

using ::callcontrol::testing::ReadFixture;
using providers::WebhookOutcome;
using providers::testing::ConfigWithTenants;
using providers::testing::MakeRequest;

constexpr char kCallId[] = "call_0123456789abcdef0123456789abcdef";
constexpr char kCallControlId[] = "v3:MdI91X4lWFEs7IgbBEOT9M4AigoY08M0WWZFISt1Yw2axZ_IiE4pqg";
constexpr char kJson[] = "application/json";

class TelnyxWebhookHandlerTest : public ::testing::Test {
 protected:
  // "acme" (Telnyx, keys_), "globex" (Twilio only).
  TelnyxWebhookHandlerTest()
      : keys_(GenerateKeyPair()),
        config_(ConfigWithTenants({{{"id", "acme"},
                                    {"provider", "telnyx"},
                                    {"telnyx",
                                     {{"api_key", "KEY0123"},
                                      {"connection_id", "1494404757140276705"},
                                      {"public_key", keys_.public_key_base64}}}},
                                   {{"id", "globex"},
                                    {"twilio",
                                     {{"account_sid", "AC00000000000000000000000000000002"},
                                      {"auth_token", "globex-auth-token"}}}}})),
        handler_(providers::WebhookContext{&config_, "https://hooks.example.com"}) {}

  // Sends `body` to /webhooks/telnyx/{tenant}[?query], signed with `keys` (unsigned when null).
  WebhookOutcome Send(const std::string& method, const std::string& tenant,
                      const std::string& query, const std::string& body, const KeyPair* keys,
                      const std::string& content_type = kJson) {
    std::vector<std::pair<std::string, std::string>> headers = {{"Content-Type", content_type}};
    if (keys != nullptr) {
      const std::string timestamp = std::to_string(absl::ToUnixSeconds(absl::Now()));
      auto signature = SignWebhook(keys->private_key_base64, timestamp, body);
      EXPECT_TRUE(signature.ok()) << signature.status();
      headers.emplace_back("telnyx-timestamp", timestamp);
      headers.emplace_back("telnyx-signature-ed25519", signature.ok() ? *signature : "");
    }
    request_ =
        MakeRequest(method, "/webhooks/telnyx/" + tenant + (query.empty() ? "" : "?" + query), body,
                    std::move(headers));
    const std::string_view path = request_.path;
    return handler_.Handle(0, path.substr(path.rfind('/') + 1), request_);
  }
  WebhookOutcome PostSigned(const std::string& body, const std::string& query = "",
                            const std::string& content_type = kJson) {
    return Send("POST", "acme", query, body, &keys_, content_type);
  }

  const KeyPair keys_;
  const config::Config config_;
  const TelnyxWebhookHandler handler_;
  http::Request request_;
};

TEST_F(TelnyxWebhookHandlerTest, ServesTheTenantItself) {
  EXPECT_THAT(handler_.actions(), ::testing::ElementsAre(""));
  EXPECT_EQ(handler_.route_label(0), "webhook");
  EXPECT_THAT(std::string(handler_.verification()), ::testing::HasSubstr(kSignatureHeader));
  const providers::Provider* provider = providers::FindProviderNamed("telnyx");
  ASSERT_NE(provider, nullptr);
  EXPECT_NE(provider->NewWebhookHandler({&config_, "https://hooks.example.com"}), nullptr);
}

// The call comes from the signed client_state; the unsigned query cannot choose another one
// (audit finding 1: a replayed signed call.hangup with another ?call_id= ended that call).
TEST_F(TelnyxWebhookHandlerTest, SignedCallStateEventIsReported) {
  nlohmann::json event = nlohmann::json::parse(ReadFixture("telnyx_call_answered.json"));
  event["data"]["payload"]["client_state"] = absl::Base64Escape(kCallId);
  const WebhookOutcome outcome =
      PostSigned(event.dump(), "call_id=call_someoneelse0000000000000000000000");
  ASSERT_EQ(outcome.action, WebhookOutcome::Action::kReport);
  EXPECT_FALSE(outcome.verification_failed);
  EXPECT_EQ(outcome.tenant_id, "acme");
  EXPECT_STREQ(outcome.what, "telnyx webhook");
  EXPECT_EQ(outcome.call_ref, std::string("call_control_id=") + kCallControlId +
                                  " event_id=7f0a6b0e-1d2c-4f37-9a5e-2b1b3c4d5e6f");
  EXPECT_EQ(outcome.report.tenant_id(), "acme");
  EXPECT_EQ(outcome.report.provider(), v1::PROVIDER_TELNYX);
  EXPECT_EQ(outcome.report.call_id(), kCallId);
  EXPECT_EQ(outcome.report.provider_ids().call_control_id(), kCallControlId);
  EXPECT_EQ(outcome.report.status(), v1::CALL_STATUS_IN_PROGRESS);
  EXPECT_EQ(outcome.response.status, 200);
  EXPECT_EQ(outcome.response.body, kTelnyxAck);
  EXPECT_EQ(outcome.response.content_type, "application/json");
}

TEST_F(TelnyxWebhookHandlerTest, OtherEventIsAcknowledgedWithoutTheDaemon) {
  nlohmann::json event = nlohmann::json::parse(ReadFixture("telnyx_call_answered.json"));
  event["data"]["event_type"] = "call.dtmf.received";
  const WebhookOutcome outcome = PostSigned(event.dump());
  EXPECT_EQ(outcome.action, WebhookOutcome::Action::kRespond);
  EXPECT_EQ(outcome.response.status, 200);
  EXPECT_EQ(outcome.response.body, kTelnyxAck);
  EXPECT_EQ(outcome.response.content_type, "application/json");
}

TEST_F(TelnyxWebhookHandlerTest, BadOrMissingSignatureIs403VerificationFailed) {
  const std::string body = ReadFixture("telnyx_call_hangup.json");
  const KeyPair other = GenerateKeyPair();
  for (const KeyPair* keys : {static_cast<const KeyPair*>(nullptr), &other}) {
    const WebhookOutcome outcome = Send("POST", "acme", "", body, keys);
    EXPECT_EQ(outcome.action, WebhookOutcome::Action::kRespond);
    EXPECT_TRUE(outcome.verification_failed);
    EXPECT_EQ(outcome.response.status, 403);
    EXPECT_FALSE(outcome.response.body.empty());
  }
}

TEST_F(TelnyxWebhookHandlerTest, TenantWithoutTelnyxIs404) {
  for (const char* tenant : {"globex", "nobody"}) {
    const WebhookOutcome outcome =
        Send("POST", tenant, "", ReadFixture("telnyx_call_hangup.json"), &keys_);
    EXPECT_EQ(outcome.response.status, 404) << tenant;
    EXPECT_EQ(outcome.response.body, "unknown tenant\n");
  }
}

TEST_F(TelnyxWebhookHandlerTest, NonPostIs405) {
  EXPECT_EQ(Send("GET", "acme", "", "", nullptr).response.status, 405);
}

TEST_F(TelnyxWebhookHandlerTest, MalformedInputIs400) {
  const std::string body = ReadFixture("telnyx_call_hangup.json");
  EXPECT_EQ(PostSigned(body, "", "text/plain").response.body,
            "Content-Type must be application/json\n");
  EXPECT_EQ(PostSigned("[1]").response.status, 400);
  nlohmann::json no_id = nlohmann::json::parse(body);
  no_id["data"].erase("id");
  const WebhookOutcome outcome = PostSigned(no_id.dump());
  EXPECT_EQ(outcome.response.status, 400);
  EXPECT_FALSE(outcome.verification_failed);
}

}  // namespace
}  // namespace callcontrol::telnyx
