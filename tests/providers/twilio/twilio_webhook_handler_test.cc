// TwilioWebhookHandler on its own: forms from tests/fixtures/twilio_*.form signed here as Twilio
// would (twilio_signature.h), outcomes checked without a daemon.
#include "providers/twilio/twilio_webhook_handler.h"

#include <string>
#include <utility>
#include <vector>

#include "common/http/form.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "providers/registry.h"
#include "providers/twilio/twilio_provider.h"
#include "providers/twilio/twilio_signature.h"
#include "tests/providers/webhook_handler_testing.h"
#include "tests/testing/fixtures.h"

namespace callcontrol::twilio {
namespace {

using ::callcontrol::testing::ReadFixture;
using providers::WebhookOutcome;
using providers::testing::ActionIndex;
using providers::testing::ConfigWithTenants;
using providers::testing::MakeRequest;

constexpr char kPublicUrl[] = "https://hooks.example.com";
constexpr char kAcmeToken[] = "acme-auth-token-0123456789abcdef";
constexpr char kGlobexToken[] = "globex-auth-token-fedcba9876543210";
constexpr char kCallId[] = "call_0123456789abcdef0123456789abcdef";
constexpr char kCallSid[] = "CA00000000000000000000000000000001";
constexpr char kForm[] = "application/x-www-form-urlencoded";

class TwilioWebhookHandlerTest : public ::testing::Test {
 protected:
  // "acme" and "globex" (Twilio), "india" (Exotel only).
  TwilioWebhookHandlerTest()
      : config_(ConfigWithTenants(
            {{{"id", "acme"},
              {"twilio",
               {{"account_sid", "AC00000000000000000000000000000001"},
                {"auth_token", kAcmeToken}}}},
             {{"id", "globex"},
              {"twilio",
               {{"account_sid", "AC00000000000000000000000000000002"},
                {"auth_token", kGlobexToken}}}},
             {{"id", "india"},
              {"provider", "exotel"},
              {"webhook_token", "india-webhook-token-0123456789abcdef"},
              {"exotel",
               {{"account_sid", "exoindia1"},
                {"api_key", "key"},
                {"api_token", "token"},
                {"caller_id", "08033333333"},
                {"flow_url", "http://my.exotel.com/exoindia1/exoml/start_voice/1"}}}}})),
        handler_(providers::WebhookContext{&config_, kPublicUrl}) {}

  // Sends `body` to /webhooks/twilio/{tenant}/{action}[?query] with `signature` (none if "").
  WebhookOutcome Send(const std::string& method, const std::string& tenant,
                      const std::string& action, const std::string& query, std::string body,
                      const std::string& signature, const std::string& content_type = kForm) {
    std::vector<std::pair<std::string, std::string>> headers = {{"Content-Type", content_type}};
    if (!signature.empty()) headers.emplace_back("X-Twilio-Signature", signature);
    request_ =
        MakeRequest(method, Target(tenant, action, query), std::move(body), std::move(headers));
    const std::string_view path = request_.path;
    const size_t start = path.find(tenant, std::string_view("/webhooks/twilio/").size());
    return handler_.Handle(ActionIndex(handler_, action), path.substr(start, tenant.size()),
                           request_);
  }

  // POSTs `body` signed with `token` over kPublicUrl + the target.
  WebhookOutcome PostSigned(const std::string& action, const std::string& query,
                            const std::string& body, const std::string& tenant = "acme",
                            const std::string& token = kAcmeToken) {
    auto params = http::ParseForm(body);
    EXPECT_TRUE(params.ok()) << params.status();
    const std::string signature =
        ComputeSignature(token, std::string(kPublicUrl) + Target(tenant, action, query),
                         params.ok() ? *params : http::FormParams{});
    return Send("POST", tenant, action, query, body, signature);
  }

  static std::string Target(const std::string& tenant, const std::string& action,
                            const std::string& query) {
    return "/webhooks/twilio/" + tenant + "/" + action + (query.empty() ? "" : "?" + query);
  }

  const config::Config config_;
  const TwilioWebhookHandler handler_;
  http::Request request_;
};

TEST_F(TwilioWebhookHandlerTest, ServesFourRoutes) {
  EXPECT_THAT(handler_.actions(),
              ::testing::ElementsAre("status", "recording", "voice", "clone-status"));
  for (size_t i = 0; i < handler_.actions().size(); ++i) {
    EXPECT_EQ(handler_.route_label(i), handler_.actions()[i]);
  }
  EXPECT_THAT(std::string(handler_.verification()), ::testing::HasSubstr("X-Twilio-Signature"));
  const providers::Provider* provider = providers::FindProviderNamed(kProviderName);
  ASSERT_NE(provider, nullptr);
  EXPECT_NE(provider->NewWebhookHandler({&config_, kPublicUrl}), nullptr);
}

TEST_F(TwilioWebhookHandlerTest, SignedStatusCallbackIsReported) {
  const WebhookOutcome outcome = PostSigned("status", std::string("call_id=") + kCallId,
                                            ReadFixture("twilio_status_completed.form"));
  ASSERT_EQ(outcome.action, WebhookOutcome::Action::kReport);
  EXPECT_FALSE(outcome.verification_failed);
  EXPECT_EQ(outcome.tenant_id, "acme");
  EXPECT_STREQ(outcome.what, "twilio status callback");
  EXPECT_EQ(outcome.call_ref, std::string("call_sid=") + kCallSid);
  EXPECT_EQ(outcome.report.tenant_id(), "acme");
  EXPECT_EQ(outcome.report.provider(), v1::PROVIDER_TWILIO);
  EXPECT_EQ(outcome.report.call_id(), kCallId);
  EXPECT_EQ(outcome.report.provider_ids().call_sid(), kCallSid);
  EXPECT_EQ(outcome.report.status(), v1::CALL_STATUS_COMPLETED);
  EXPECT_EQ(outcome.report.duration_seconds(), 49);
  EXPECT_EQ(outcome.response.status, 200);
  EXPECT_EQ(outcome.response.body, kEmptyTwiml);
  EXPECT_EQ(outcome.response.content_type, "text/xml");
}

TEST_F(TwilioWebhookHandlerTest, SignedRecordingCallbackIsReported) {
  const WebhookOutcome outcome =
      PostSigned("recording", "", ReadFixture("twilio_recording_status_completed.form"));
  ASSERT_EQ(outcome.action, WebhookOutcome::Action::kReport);
  EXPECT_EQ(outcome.call_ref, std::string("call_sid=") + kCallSid +
                                  " recording_sid=RE00000000000000000000000000000001");
  EXPECT_EQ(outcome.report.recording().duration_seconds(), 47);
  EXPECT_EQ(outcome.report.status(), v1::CALL_STATUS_UNSPECIFIED);
  EXPECT_EQ(outcome.response.body, kEmptyTwiml);
}

TEST_F(TwilioWebhookHandlerTest, IncomingCallStartsAnInboundCall) {
  const WebhookOutcome outcome = PostSigned("voice", "", ReadFixture("twilio_incoming_call.form"));
  ASSERT_EQ(outcome.action, WebhookOutcome::Action::kStartInbound);
  EXPECT_STREQ(outcome.what, "twilio incoming call");
  EXPECT_EQ(outcome.start_inbound.tenant_id(), "acme");
  EXPECT_EQ(outcome.start_inbound.provider(), v1::PROVIDER_TWILIO);
  EXPECT_EQ(outcome.start_inbound.provider_ids().call_sid(), kCallSid);
  EXPECT_EQ(outcome.call_ref, std::string("call_sid=") + kCallSid);
  EXPECT_EQ(outcome.start_inbound.from(), "+14158675309");
  EXPECT_EQ(outcome.start_inbound.to(), "+18005551212");
  EXPECT_EQ(outcome.start_inbound.provider_status(), "ringing");

  const WebhookOutcome no_sid = PostSigned("voice", "", "From=%2B15005550006");
  EXPECT_EQ(no_sid.action, WebhookOutcome::Action::kRespond);
  EXPECT_EQ(no_sid.response.status, 400);
  EXPECT_EQ(no_sid.response.body, "missing CallSid\n");
}

TEST_F(TwilioWebhookHandlerTest, CloneStatusAsksForTheCloneProgress) {
  const std::string body = std::string("CallSid=") + kCallSid + "&CallStatus=in-progress";
  WebhookOutcome outcome =
      PostSigned("clone-status", std::string("call_id=") + kCallId + "&attempt=3", body);
  ASSERT_EQ(outcome.action, WebhookOutcome::Action::kCloneProgress);
  EXPECT_EQ(outcome.clone_progress.tenant_id(), "acme");
  EXPECT_EQ(outcome.clone_progress.call_id(), kCallId);
  EXPECT_EQ(outcome.clone_attempt, 3);
  EXPECT_EQ(outcome.call_ref, std::string("call_id=") + kCallId);
  outcome = PostSigned("clone-status", std::string("call_id=") + kCallId, body);
  EXPECT_EQ(outcome.clone_attempt, 1);

  EXPECT_EQ(PostSigned("clone-status", "", body).response.body, "missing call_id\n");
  for (const char* attempt : {"0", "-1", "x"}) {
    EXPECT_EQ(
        PostSigned("clone-status", std::string("call_id=") + kCallId + "&attempt=" + attempt, body)
            .response.body,
        "attempt must be a positive integer\n")
        << attempt;
  }
}

TEST_F(TwilioWebhookHandlerTest, BadOrMissingSignatureIs403VerificationFailed) {
  const std::string body = ReadFixture("twilio_status_completed.form");
  const WebhookOutcome missing = Send("POST", "acme", "status", "", body, "");
  EXPECT_TRUE(missing.verification_failed);
  EXPECT_EQ(missing.response.status, 403);
  EXPECT_EQ(missing.response.body, "missing X-Twilio-Signature\n");
  // Another tenant's token; signed for another route.
  const WebhookOutcome other_token = PostSigned("status", "", body, "acme", kGlobexToken);
  EXPECT_TRUE(other_token.verification_failed);
  EXPECT_EQ(other_token.response.status, 403);
  EXPECT_EQ(other_token.response.body, "invalid X-Twilio-Signature\n");
  auto params = http::ParseForm(body);
  ASSERT_TRUE(params.ok());
  const std::string status_signature = ComputeSignature(
      kAcmeToken, std::string(kPublicUrl) + "/webhooks/twilio/acme/status", *params);
  const WebhookOutcome wrong_route = Send("POST", "acme", "recording", "", body, status_signature);
  EXPECT_TRUE(wrong_route.verification_failed);
  EXPECT_EQ(wrong_route.response.status, 403);
}

TEST_F(TwilioWebhookHandlerTest, TenantWithoutTwilioIs404) {
  for (const char* tenant : {"india", "nobody"}) {
    const WebhookOutcome outcome =
        PostSigned("status", "", ReadFixture("twilio_status_completed.form"), tenant);
    EXPECT_EQ(outcome.response.status, 404) << tenant;
    EXPECT_EQ(outcome.response.body, "unknown tenant\n");
    EXPECT_FALSE(outcome.verification_failed);
  }
}

TEST_F(TwilioWebhookHandlerTest, NonPostIs405) {
  const WebhookOutcome outcome = Send("GET", "acme", "status", "", "", "");
  EXPECT_EQ(outcome.response.status, 405);
  EXPECT_FALSE(outcome.verification_failed);
}

TEST_F(TwilioWebhookHandlerTest, MalformedInputIs400) {
  EXPECT_EQ(Send("POST", "acme", "status", "", "{}", "sig", "application/json").response.body,
            "Content-Type must be application/x-www-form-urlencoded\n");
  EXPECT_EQ(Send("POST", "acme", "status", "", "CallSid=%ZZ", "sig").response.body,
            "malformed form body\n");
  EXPECT_EQ(PostSigned("status", "call_id=%G1", ReadFixture("twilio_status_completed.form"))
                .response.body,
            "malformed query string\n");
  const WebhookOutcome bad_field = PostSigned("status", "", "CallSid=CA123&CallStatus=ringing");
  EXPECT_EQ(bad_field.action, WebhookOutcome::Action::kRespond);
  EXPECT_EQ(bad_field.response.status, 400);
  EXPECT_FALSE(bad_field.verification_failed);
}

}  // namespace
}  // namespace callcontrol::twilio
