// The token-authenticated routes (POST /webhooks/exotel/{tenant}/status, POST
// /webhooks/bolna/{tenant}), the Twilio recording route and GET /metrics, end to end: the whole
// adapter in-process on 127.0.0.1:0, real HTTP, real gRPC to a FakeDaemon.
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/config/config.h"
#include "common/http/form.h"
#include "common/http/http_client.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "providers/registry.h"
#include "providers/twilio/twilio_signature.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/status_matchers.h"
#include "tests/webhook_adapter/fake_daemon.h"
#include "tests/webhook_adapter/prometheus_text.h"
#include "tests/webhook_adapter/test_support.h"
#include "webhook_adapter/adapter.h"
#include "webhook_adapter/adapter_metrics.h"

namespace callcontrol::webhook_adapter {
namespace {

using ::callcontrol::testing::IsOk;
using ::callcontrol::testing::ReadFixture;
using internal::v1::ReportProviderEventRequest;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kPublicUrl[] = "https://hooks.example.com";
constexpr char kAcmeAuthToken[] = "acme-auth-token-0123456789abcdef";
constexpr char kIndiaToken[] = "india-webhook-token-0123456789abcdef";
constexpr char kAgentsToken[] = "agents-webhook-token-fedcba9876543210";
constexpr char kCallId[] = "call_0123456789abcdef0123456789abcdef";
constexpr char kExotelCallSid[] = "80bfbec2d78bbbf10fb851f4fa165211";
constexpr char kExecutionId[] = "4c06b4d1-4096-4561-919a-4f94539c8d4a";
constexpr char kForm[] = "application/x-www-form-urlencoded";
constexpr char kJson[] = "application/json";

class TokenWebhookTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(daemon_.started()); }

  void TearDown() override {
    if (adapter_ != nullptr) adapter_->Shutdown();
    adapter_.reset();
    daemon_.Stop();
  }

  // Tenants: "acme" (Twilio, no webhook token), "india" (Exotel, token kIndiaToken), "agents"
  // (Bolna, token kAgentsToken).
  config::Config TestConfig() const {
    const nlohmann::json json = {
        {"daemon", {{"internal_api_key", kFakeDaemonApiKey}}},
        {"adapter",
         {{"listen", "127.0.0.1:0"},
          {"public_url", kPublicUrl},
          {"daemon_address", daemon_.address()}}},
        {"tenants",
         {{{"id", "acme"},
           {"api_keys", {config::HashApiKey("acme-key")}},
           {"twilio",
            {{"account_sid", "AC00000000000000000000000000000001"},
             {"auth_token", kAcmeAuthToken}}}},
          {{"id", "india"},
           {"provider", "exotel"},
           {"api_keys", {config::HashApiKey("india-key")}},
           {"webhook_token", kIndiaToken},
           {"exotel",
            {{"account_sid", "exoindia1"},
             {"api_key", "key"},
             {"api_token", "token"},
             {"caller_id", "08033333333"},
             {"flow_url", "http://my.exotel.com/exoindia1/exoml/start_voice/1"}}}},
          {{"id", "agents"},
           {"provider", "bolna"},
           {"api_keys", {config::HashApiKey("agents-key")}},
           {"webhook_token", kAgentsToken}}}}};
    auto config = providers::ParseConfig(json.dump());
    EXPECT_THAT(config, IsOk());
    return config.ok() ? *std::move(config) : config::Config{};
  }

  void StartAdapter() {
    auto adapter = Adapter::Start(TestConfig(), Adapter::Options{});
    ASSERT_THAT(adapter, IsOk());
    adapter_ = *std::move(adapter);
  }

  absl::StatusOr<http::ClientResponse> Send(
      const std::string& method, const std::string& target, const std::string& body = "",
      const std::string& content_type = kForm,
      std::vector<std::pair<std::string, std::string>> headers = {}) {
    http::ClientRequest request;
    request.method = method;
    request.url = "http://127.0.0.1:" + std::to_string(adapter_->port()) + target;
    request.body = body;
    if (!content_type.empty()) request.headers.emplace_back("Content-Type", content_type);
    for (auto& header : headers) request.headers.push_back(std::move(header));
    return client_.Send(request);
  }

  absl::StatusOr<http::ClientResponse> Post(
      const std::string& target, const std::string& body, const std::string& content_type = kForm,
      std::vector<std::pair<std::string, std::string>> headers = {}) {
    return Send("POST", target, body, content_type, std::move(headers));
  }

  // POSTs a Twilio form signed with acme's auth token (no signature when `sign` is false).
  absl::StatusOr<http::ClientResponse> PostTwilio(const std::string& target,
                                                  const std::string& body, bool sign = true) {
    std::vector<std::pair<std::string, std::string>> headers;
    if (sign) {
      auto params = http::ParseForm(body);
      EXPECT_THAT(params, IsOk());
      headers.emplace_back(
          "X-Twilio-Signature",
          twilio::ComputeSignature(kAcmeAuthToken, std::string(kPublicUrl) + target,
                                   params.ok() ? *params : http::FormParams{}));
    }
    return Post(target, body, kForm, std::move(headers));
  }

  PrometheusText Metrics() {
    auto response = Send("GET", "/metrics", "", "");
    EXPECT_THAT(response, HasHttpStatus(200));
    if (!response.ok()) return {};
    EXPECT_EQ(response->content_type, "text/plain; version=0.0.4; charset=utf-8");
    auto text = ParsePrometheusText(response->body);
    EXPECT_THAT(text, IsOk()) << response->body;
    return text.ok() ? *std::move(text) : PrometheusText{};
  }

  static std::string ExotelTarget(const std::string& query = std::string("token=") + kIndiaToken +
                                                             "&call_id=" + kCallId) {
    return "/webhooks/exotel/india/status" + (query.empty() ? "" : "?" + query);
  }
  static std::string BolnaTarget(const std::string& query = std::string("token=") + kAgentsToken) {
    return "/webhooks/bolna/agents" + (query.empty() ? "" : "?" + query);
  }

  FakeDaemon daemon_;
  std::unique_ptr<Adapter> adapter_;
  http::HttpClient client_;
};

ReportProviderEventRequest ExotelTerminalRequest() {
  ReportProviderEventRequest expected;
  expected.set_tenant_id("india");
  expected.set_provider(v1::PROVIDER_EXOTEL);
  expected.set_call_id(kCallId);
  expected.mutable_provider_ids()->set_call_sid(kExotelCallSid);
  expected.set_provider_status("completed");
  expected.set_status(v1::CALL_STATUS_COMPLETED);
  expected.set_provider_sequence(-1);
  expected.mutable_occurred_time()->set_seconds(1705309244);  // 2024-01-15 14:30:44 IST
  expected.set_duration_seconds(120);
  expected.set_direction(v1::CALL_DIRECTION_OUTBOUND);
  expected.set_from("08888888888");
  expected.set_to("09999999999");
  expected.set_sip_response_code(0);
  expected.mutable_recording()->set_url(
      "https://s3-ap-southeast-1.amazonaws.com/recordings/abc123.mp3");
  expected.mutable_recording()->set_status("completed");
  return expected;
}

::testing::AssertionResult ProtoEquals(const google::protobuf::Message& expected,
                                       const google::protobuf::Message& actual) {
  std::string diff;
  google::protobuf::util::MessageDifferencer differencer;
  differencer.ReportDifferencesToString(&diff);
  if (differencer.Compare(expected, actual)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << diff;
}

// ---- Exotel ----

TEST_F(TokenWebhookTest, ExotelFormWithQueryTokenIsForwarded) {
  StartAdapter();
  auto response = Post(ExotelTarget(), ReadFixture("exotel_status_terminal.form"));
  ASSERT_THAT(response, HasHttpStatus(200));
  EXPECT_EQ(response->body, "{}");
  EXPECT_THAT(response->content_type, StartsWith("application/json"));
  const auto requests = daemon_.service().requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_TRUE(ProtoEquals(ExotelTerminalRequest(), requests[0]));
}

TEST_F(TokenWebhookTest, ExotelJsonWithHeaderTokenIsForwarded) {
  StartAdapter();
  auto response = Post(ExotelTarget(std::string("call_id=") + kCallId),
                       ReadFixture("exotel_status_terminal.json"),
                       "application/json; charset=utf-8", {{"X-Webhook-Token", kIndiaToken}});
  ASSERT_THAT(response, HasHttpStatus(200));
  const auto requests = daemon_.service().requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_TRUE(ProtoEquals(ExotelTerminalRequest(), requests[0]));
}

TEST_F(TokenWebhookTest, ExotelDefaultCallbackAndPrice) {
  StartAdapter();
  const std::string body = ReadFixture("exotel_status_default.form") + "&Price=1.500";
  ASSERT_THAT(Post(ExotelTarget(std::string("token=") + kIndiaToken), body), HasHttpStatus(200));
  const auto requests = daemon_.service().requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].call_id(), "");
  EXPECT_EQ(requests[0].price().currency_code(), "INR");
  EXPECT_EQ(requests[0].price().amount_micros(), 1500000);
}

TEST_F(TokenWebhookTest, ExotelWithoutTheRightTokenIs403AndDaemonIsNotCalled) {
  StartAdapter();
  const std::string body = ReadFixture("exotel_status_terminal.form");
  // No token at all.
  EXPECT_THAT(Post(ExotelTarget(std::string("call_id=") + kCallId), body), HasHttpStatus(403));
  // Wrong token in the query, another tenant's token, an empty one, a prefix of the right one.
  for (const std::string& token :
       {std::string("nope"), std::string(kAgentsToken), std::string(kIndiaToken).substr(0, 10),
        std::string(kIndiaToken) + "x"}) {
    EXPECT_THAT(Post(ExotelTarget("token=" + http::PercentEncode(token)), body), HasHttpStatus(403))
        << token;
  }
  EXPECT_THAT(Post(ExotelTarget("token="), body), HasHttpStatus(403));
  // A wrong header wins over a right query token.
  EXPECT_THAT(Post(ExotelTarget(), body, kForm, {{"X-Webhook-Token", "wrong"}}),
              HasHttpStatus(403));
  EXPECT_TRUE(daemon_.service().requests().empty());
}

TEST_F(TokenWebhookTest, ExotelTenantRules) {
  StartAdapter();
  const std::string body = ReadFixture("exotel_status_terminal.form");
  const std::string token_query = std::string("?token=") + kIndiaToken;
  // acme has no webhook token; nobody is called "nobody".
  EXPECT_THAT(Post("/webhooks/exotel/acme/status" + token_query, body), HasHttpStatus(404));
  EXPECT_THAT(Post("/webhooks/exotel/nobody/status" + token_query, body), HasHttpStatus(404));
  EXPECT_THAT(Post("/webhooks/exotel/india" + token_query, body), HasHttpStatus(404));
  EXPECT_THAT(Post("/webhooks/exotel/india/other" + token_query, body), HasHttpStatus(404));
  auto response = Send("GET", ExotelTarget(), "", "");
  ASSERT_THAT(response, HasHttpStatus(405));
  EXPECT_TRUE(daemon_.service().requests().empty());
}

TEST_F(TokenWebhookTest, ExotelMalformedInputIs400AndDaemonIsNotCalled) {
  StartAdapter();
  EXPECT_THAT(Post(ExotelTarget(), ReadFixture("exotel_status_terminal.form"), "text/plain"),
              HasHttpStatus(400));
  EXPECT_THAT(Post(ExotelTarget(), "Status=completed"), HasHttpStatus(400));  // no CallSid
  EXPECT_THAT(Post(ExotelTarget(), "CallSid=abc&Status=completed&Price=1%2C5"), HasHttpStatus(400));
  EXPECT_THAT(Post(ExotelTarget(), "CallSid=%zz&Status=completed"), HasHttpStatus(400));
  EXPECT_THAT(Post(ExotelTarget(), "[1,2]", kJson), HasHttpStatus(400));
  // A malformed query with the token in the header.
  EXPECT_THAT(Post(ExotelTarget("call_id=%zz"), ReadFixture("exotel_status_terminal.form"), kForm,
                   {{"X-Webhook-Token", kIndiaToken}}),
              HasHttpStatus(400));
  EXPECT_TRUE(daemon_.service().requests().empty());
}

TEST_F(TokenWebhookTest, ExotelDaemonUnavailableIs503) {
  StartAdapter();
  daemon_.service().SetAnswer(grpc::Status(grpc::StatusCode::UNAVAILABLE, "store busy"));
  EXPECT_THAT(Post(ExotelTarget(), ReadFixture("exotel_status_terminal.form")), HasHttpStatus(503));
}

// ---- Bolna ----

TEST_F(TokenWebhookTest, BolnaExecutionIsForwarded) {
  StartAdapter();
  auto response = Post(BolnaTarget(std::string("token=") + kAgentsToken + "&call_id=" + kCallId),
                       ReadFixture("bolna_execution.json"), kJson);
  ASSERT_THAT(response, HasHttpStatus(200));
  EXPECT_EQ(response->body, "{}");
  const auto requests = daemon_.service().requests();
  ASSERT_EQ(requests.size(), 1u);
  const ReportProviderEventRequest& r = requests[0];
  EXPECT_EQ(r.tenant_id(), "agents");
  EXPECT_EQ(r.provider(), v1::PROVIDER_BOLNA);
  EXPECT_EQ(r.call_id(), kCallId);
  EXPECT_EQ(r.provider_ids().execution_id(), kExecutionId);
  EXPECT_EQ(r.status(), v1::CALL_STATUS_COMPLETED);
  EXPECT_EQ(r.duration_seconds(), 42);
  EXPECT_EQ(r.price().currency_code(), "USD");
  EXPECT_EQ(r.price().amount_micros(), 1230000);
  EXPECT_THAT(r.recording().url(), StartsWith("https://bolna-call-recordings.s3"));
  EXPECT_EQ(r.hangup().cause(), "Normal Hangup");
}

TEST_F(TokenWebhookTest, BolnaObservedSequenceWithHeaderToken) {
  StartAdapter();
  const nlohmann::json sequence =
      nlohmann::json::parse(ReadFixture("bolna_webhook_sequence_observed.json"));
  for (nlohmann::json event : sequence) {
    event["id"] = kExecutionId;
    EXPECT_THAT(Post(BolnaTarget(""), event.dump(), kJson, {{"X-Webhook-Token", kAgentsToken}}),
                HasHttpStatus(200))
        << event.dump();
  }
  const auto requests = daemon_.service().requests();
  ASSERT_EQ(requests.size(), 5u);
  EXPECT_EQ(requests[0].status(), v1::CALL_STATUS_RINGING);
  EXPECT_EQ(requests[1].status(), v1::CALL_STATUS_IN_PROGRESS);
  EXPECT_EQ(requests[2].status(), v1::CALL_STATUS_UNSPECIFIED);
  EXPECT_EQ(requests[2].provider_status(), "call-disconnected");
  EXPECT_EQ(requests[3].status(), v1::CALL_STATUS_COMPLETED);
  EXPECT_EQ(requests[3].duration_seconds(), 28);
  EXPECT_EQ(requests[4].status(), v1::CALL_STATUS_BUSY);
}

TEST_F(TokenWebhookTest, BolnaRejections) {
  StartAdapter();
  const std::string body = ReadFixture("bolna_execution.json");
  EXPECT_THAT(Post(BolnaTarget(""), body, kJson), HasHttpStatus(403));
  EXPECT_THAT(Post(BolnaTarget("token=wrong"), body, kJson), HasHttpStatus(403));
  EXPECT_THAT(Post(BolnaTarget(std::string("token=") + kIndiaToken), body, kJson),
              HasHttpStatus(403));  // another tenant's token
  EXPECT_THAT(Post(std::string("/webhooks/bolna/acme?token=") + kAgentsToken, body, kJson),
              HasHttpStatus(404));  // no webhook token
  EXPECT_THAT(Post(std::string("/webhooks/bolna/agents/x?token=") + kAgentsToken, body, kJson),
              HasHttpStatus(404));
  EXPECT_THAT(Send("PUT", BolnaTarget(), body, kJson), HasHttpStatus(405));
  EXPECT_THAT(Post(BolnaTarget(), body, kForm), HasHttpStatus(400));
  EXPECT_THAT(Post(BolnaTarget(), R"({"status":"completed"})", kJson), HasHttpStatus(400));
  EXPECT_THAT(Post(BolnaTarget(), "{", kJson), HasHttpStatus(400));
  EXPECT_TRUE(daemon_.service().requests().empty());
}

TEST_F(TokenWebhookTest, BolnaLongTranscriptFits) {
  StartAdapter();
  nlohmann::json event = nlohmann::json::parse(ReadFixture("bolna_execution.json"));
  event["transcript"] = std::string(200 * 1024, 'a');  // past the HTTP server's 64 KiB default
  EXPECT_THAT(Post(BolnaTarget(), event.dump(), kJson), HasHttpStatus(200));
}

// ---- Twilio recordings ----

TEST_F(TokenWebhookTest, TwilioRecordingCallbackIsForwarded) {
  StartAdapter();
  const std::string target = std::string("/webhooks/twilio/acme/recording?call_id=") + kCallId;
  auto response = PostTwilio(target, ReadFixture("twilio_recording_status_completed.form"));
  ASSERT_THAT(response, HasHttpStatus(200));
  EXPECT_EQ(response->body, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>");
  const auto requests = daemon_.service().requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].tenant_id(), "acme");
  EXPECT_EQ(requests[0].provider(), v1::PROVIDER_TWILIO);
  EXPECT_EQ(requests[0].call_id(), kCallId);
  EXPECT_EQ(requests[0].provider_ids().call_sid(), "CA00000000000000000000000000000001");
  EXPECT_EQ(requests[0].status(), v1::CALL_STATUS_UNSPECIFIED);
  EXPECT_EQ(requests[0].recording().recording_id(), "RE00000000000000000000000000000001");
  EXPECT_EQ(requests[0].recording().duration_seconds(), 47);
  EXPECT_EQ(requests[0].recording().status(), "completed");
}

TEST_F(TokenWebhookTest, TwilioRecordingCallbackNeedsTheSignature) {
  StartAdapter();
  const std::string target = "/webhooks/twilio/acme/recording";
  const std::string body = ReadFixture("twilio_recording_status_completed.form");
  EXPECT_THAT(PostTwilio(target, body, /*sign=*/false), HasHttpStatus(403));
  EXPECT_THAT(Post(target, body, kForm, {{"X-Twilio-Signature", "bm90IGEgc2lnbmF0dXJl"}}),
              HasHttpStatus(403));
  // Signed for /status, sent to /recording.
  auto params = http::ParseForm(body);
  ASSERT_THAT(params, IsOk());
  const std::string status_signature = twilio::ComputeSignature(
      kAcmeAuthToken, std::string(kPublicUrl) + "/webhooks/twilio/acme/status", *params);
  EXPECT_THAT(Post(target, body, kForm, {{"X-Twilio-Signature", status_signature}}),
              HasHttpStatus(403));
  EXPECT_THAT(PostTwilio("/webhooks/twilio/india/recording", body), HasHttpStatus(404));
  EXPECT_TRUE(daemon_.service().requests().empty());
  // Signed but malformed: 400.
  EXPECT_THAT(PostTwilio(target, "CallSid=CA00000000000000000000000000000001"), HasHttpStatus(400));
}

// ---- /metrics ----

TEST_F(TokenWebhookTest, MetricsAreServedAsPrometheusText) {
  StartAdapter();
  const PrometheusText text = Metrics();
  EXPECT_EQ(text.types.at("callcontrol_adapter_webhooks_total"), "counter");
  EXPECT_EQ(text.types.at("callcontrol_adapter_webhook_duration_seconds"), "histogram");
  EXPECT_EQ(text.types.at("callcontrol_adapter_webhooks_in_flight"), "gauge");
  EXPECT_EQ(text.types.at("callcontrol_adapter_signature_failures_total"), "counter");
  EXPECT_EQ(text.types.at("callcontrol_adapter_daemon_errors_total"), "counter");
  EXPECT_EQ(SampleOr0(text, "callcontrol_adapter_webhooks_in_flight"), 0);
  EXPECT_THAT(Send("POST", "/metrics", "x"), HasHttpStatus(405));
}

TEST_F(TokenWebhookTest, CountersMoveWithRequests) {
  StartAdapter();
  const std::string exotel_body = ReadFixture("exotel_status_terminal.form");
  ASSERT_THAT(Post(ExotelTarget(), exotel_body), HasHttpStatus(200));
  ASSERT_THAT(Post(ExotelTarget(), exotel_body), HasHttpStatus(200));
  ASSERT_THAT(Post(ExotelTarget("token=wrong"), exotel_body), HasHttpStatus(403));
  ASSERT_THAT(Post(BolnaTarget(""), "{}", kJson), HasHttpStatus(403));
  ASSERT_THAT(PostTwilio("/webhooks/twilio/acme/status", "CallSid=x", /*sign=*/false),
              HasHttpStatus(403));
  ASSERT_THAT(Post("/webhooks/nowhere/acme", ""), HasHttpStatus(404));
  daemon_.service().SetAnswer(grpc::Status(grpc::StatusCode::UNAVAILABLE, "store busy"));
  ASSERT_THAT(Post(BolnaTarget(), ReadFixture("bolna_execution.json"), kJson), HasHttpStatus(503));

  const PrometheusText text = Metrics();
  const std::string total = "callcontrol_adapter_webhooks_total";
  EXPECT_EQ(SampleOr0(text, total, {{"provider", "exotel"}, {"route", "status"}, {"code", "200"}}),
            2);
  EXPECT_EQ(SampleOr0(text, total, {{"provider", "exotel"}, {"route", "status"}, {"code", "403"}}),
            1);
  EXPECT_EQ(SampleOr0(text, total, {{"provider", "bolna"}, {"route", "webhook"}, {"code", "403"}}),
            1);
  EXPECT_EQ(SampleOr0(text, total, {{"provider", "bolna"}, {"route", "webhook"}, {"code", "503"}}),
            1);
  EXPECT_EQ(SampleOr0(text, total, {{"provider", "twilio"}, {"route", "status"}, {"code", "403"}}),
            1);
  EXPECT_EQ(
      SampleOr0(text, total, {{"provider", "unknown"}, {"route", "unknown"}, {"code", "404"}}), 1);
  const std::string failures = "callcontrol_adapter_signature_failures_total";
  EXPECT_EQ(SampleOr0(text, failures, {{"provider", "exotel"}}), 1);
  EXPECT_EQ(SampleOr0(text, failures, {{"provider", "bolna"}}), 1);
  EXPECT_EQ(SampleOr0(text, failures, {{"provider", "twilio"}}), 1);
  EXPECT_EQ(SampleOr0(text, failures, {{"provider", "telnyx"}}), 0);
  EXPECT_EQ(SampleOr0(text, "callcontrol_adapter_daemon_errors_total", {{"code", "UNAVAILABLE"}}),
            1);
  const std::string duration = "callcontrol_adapter_webhook_duration_seconds";
  EXPECT_EQ(SampleOr0(text, duration + "_count", {{"provider", "exotel"}}), 3);
  EXPECT_EQ(SampleOr0(text, duration + "_count", {{"provider", "bolna"}}), 2);
  EXPECT_EQ(SampleOr0(text, duration + "_bucket", {{"provider", "exotel"}, {"le", "+Inf"}}), 3);
  EXPECT_GT(SampleOr0(text, duration + "_sum", {{"provider", "exotel"}}), 0);
  EXPECT_EQ(SampleOr0(text, "callcontrol_adapter_webhooks_in_flight"), 0);
  // Neither /metrics nor /healthz counts as a webhook.
  ASSERT_THAT(Send("GET", "/healthz", "", ""), HasHttpStatus(200));
  const PrometheusText again = Metrics();
  double webhooks = 0;
  for (const auto& [series, value] : again.samples) {
    if (series.rfind(total + "{", 0) == 0) webhooks += value;
  }
  EXPECT_EQ(webhooks, 7);
}

TEST_F(TokenWebhookTest, InFlightGaugeCountsWebhooksWaitingForTheDaemon) {
  StartAdapter();
  daemon_.service().Hold();
  http::HttpClient other;
  std::thread poster([this, &other] {
    http::ClientRequest request;
    request.method = "POST";
    request.url = "http://127.0.0.1:" + std::to_string(adapter_->port()) + ExotelTarget();
    request.body = ReadFixture("exotel_status_terminal.form");
    request.headers.emplace_back("Content-Type", kForm);
    EXPECT_THAT(other.Send(request), HasHttpStatus(200));
  });
  ASSERT_TRUE(daemon_.service().WaitForRequests(1));
  EXPECT_EQ(SampleOr0(Metrics(), "callcontrol_adapter_webhooks_in_flight"), 1);
  daemon_.service().ReleaseHeld(grpc::Status::OK);
  poster.join();
  EXPECT_EQ(SampleOr0(Metrics(), "callcontrol_adapter_webhooks_in_flight"), 0);
}

}  // namespace
}  // namespace callcontrol::webhook_adapter
