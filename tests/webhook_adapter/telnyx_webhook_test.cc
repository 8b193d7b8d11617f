// The Telnyx route (POST /webhooks/telnyx/{tenant}) end to end: the whole adapter in-process on
// 127.0.0.1:0, real HTTP, real gRPC to a FakeDaemon, Ed25519-signed bodies from
// tests/fixtures/telnyx_call_*.json.
#include <chrono>
#include <memory>
#include <string>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/time/clock.h"
#include "common/config/config.h"
#include "common/http/http_client.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "providers/registry.h"
#include "providers/telnyx/telnyx_signature.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/status_matchers.h"
#include "tests/webhook_adapter/fake_daemon.h"
#include "tests/webhook_adapter/test_support.h"
#include "webhook_adapter/adapter.h"

namespace callcontrol::webhook_adapter {
namespace {

using ::callcontrol::testing::IsOk;
using ::callcontrol::testing::ReadFixture;
using internal::v1::ReportProviderEventRequest;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kCallId[] = "call_0123456789abcdef0123456789abcdef";
constexpr char kCallControlId[] = "v3:MdI91X4lWFEs7IgbBEOT9M4AigoY08M0WWZFISt1Yw2axZ_IiE4pqg";
constexpr char kJson[] = "application/json";

class TelnyxWebhookTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(daemon_.started()); }

  void TearDown() override {
    if (adapter_ != nullptr) adapter_->Shutdown();
    adapter_.reset();
    daemon_.Stop();
  }

  // Tenants: "acme" (Telnyx, key acme_keys_, default 300 s window), "strict" (Telnyx with a
  // 60 s window, also a Twilio block) and "globex" (Twilio only).
  config::Config TestConfig(const std::string& daemon_address) const {
    const nlohmann::json telnyx = {{"api_key", "KEY0123"},
                                   {"connection_id", "1494404757140276705"},
                                   {"public_key", acme_keys_.public_key_base64}};
    nlohmann::json strict_telnyx = telnyx;
    strict_telnyx["public_key"] = strict_keys_.public_key_base64;
    strict_telnyx["webhook_tolerance_seconds"] = 60;
    const nlohmann::json twilio = {{"account_sid", "AC00000000000000000000000000000002"},
                                   {"auth_token", "globex-auth-token"}};
    const nlohmann::json json = {{"daemon", {{"internal_api_key", kFakeDaemonApiKey}}},
                                 {"adapter",
                                  {{"listen", "127.0.0.1:0"},
                                   {"public_url", "https://hooks.example.com"},
                                   {"daemon_address", daemon_address}}},
                                 {"tenants",
                                  {{{"id", "acme"},
                                    {"provider", "telnyx"},
                                    {"api_keys", {config::HashApiKey("acme-key")}},
                                    {"telnyx", telnyx}},
                                   {{"id", "strict"},
                                    {"provider", "twilio"},
                                    {"api_keys", {config::HashApiKey("strict-key")}},
                                    {"twilio", twilio},
                                    {"telnyx", strict_telnyx}},
                                   {{"id", "globex"},
                                    {"api_keys", {config::HashApiKey("globex-key")}},
                                    {"twilio", twilio}}}}};
    auto config = providers::ParseConfig(json.dump());
    EXPECT_THAT(config, IsOk());
    return config.ok() ? *std::move(config) : config::Config{};
  }

  void StartAdapter(std::string daemon_address = "",
                    std::chrono::milliseconds deadline = std::chrono::milliseconds(5000)) {
    if (daemon_address.empty()) daemon_address = daemon_.address();
    Adapter::Options options;
    options.daemon_deadline = deadline;
    auto adapter = Adapter::Start(TestConfig(daemon_address), options);
    ASSERT_THAT(adapter, IsOk());
    adapter_ = *std::move(adapter);
  }

  // POSTs `body` to `target` with the given Telnyx headers (each left out when empty).
  absl::StatusOr<http::ClientResponse> Post(const std::string& target, const std::string& body,
                                            const std::string& timestamp,
                                            const std::string& signature,
                                            const std::string& content_type = kJson) {
    http::ClientRequest request;
    request.method = "POST";
    request.url = "http://127.0.0.1:" + std::to_string(adapter_->port()) + target;
    request.body = body;
    request.headers.emplace_back("Content-Type", content_type);
    request.headers.emplace_back("User-Agent", "telnyx-webhooks");
    if (!timestamp.empty()) request.headers.emplace_back("telnyx-timestamp", timestamp);
    if (!signature.empty()) request.headers.emplace_back("telnyx-signature-ed25519", signature);
    return client_.Send(request);
  }

  // POSTs `body` signed with `keys` as Telnyx would, `age` ago.
  absl::StatusOr<http::ClientResponse> PostSigned(const std::string& target,
                                                  const std::string& body,
                                                  const telnyx::KeyPair* keys = nullptr,
                                                  absl::Duration age = absl::ZeroDuration(),
                                                  const std::string& content_type = kJson) {
    if (keys == nullptr) keys = &acme_keys_;
    const std::string timestamp = std::to_string(absl::ToUnixSeconds(absl::Now() - age));
    auto signature = telnyx::SignWebhook(keys->private_key_base64, timestamp, body);
    EXPECT_THAT(signature, IsOk());
    return Post(target, body, timestamp, signature.ok() ? *signature : "", content_type);
  }

  absl::StatusOr<http::ClientResponse> Get(const std::string& target) {
    http::ClientRequest request;
    request.url = "http://127.0.0.1:" + std::to_string(adapter_->port()) + target;
    return client_.Send(request);
  }

  static std::string Target(const std::string& tenant = "acme") {
    return "/webhooks/telnyx/" + tenant + "?call_id=" + kCallId;
  }

  const telnyx::KeyPair acme_keys_ = telnyx::GenerateKeyPair();
  const telnyx::KeyPair strict_keys_ = telnyx::GenerateKeyPair();
  FakeDaemon daemon_;
  std::unique_ptr<Adapter> adapter_;
  http::HttpClient client_;
};

// A webhook body of `event_type` for the fixtures' call.
std::string EventBody(const std::string& event_type, const std::string& payload_extra = "") {
  return R"({"data":{"record_type":"event","event_type":")" + event_type +
         R"(","id":"11111111-2222-3333-4444-555555555555","occurred_at":"2024-05-06T07:08:09.123456Z","payload":{"call_control_id":")" +
         kCallControlId + "\"" + (payload_extra.empty() ? "" : "," + payload_extra) +
         R"(}},"meta":{"attempt":1,"delivered_to":"https://hooks.example.com/webhooks/telnyx/acme"}})";
}

// `body` (a fixture) with data.payload.client_state = base64(kCallId): what Telnyx echoes for a
// call callcontrol placed.
std::string OurCall(const std::string& body) {
  nlohmann::json event = nlohmann::json::parse(body);
  event["data"]["payload"]["client_state"] = absl::Base64Escape(kCallId);
  return event.dump();
}

TEST_F(TelnyxWebhookTest, SignedHangupIsForwardedAndAcknowledged) {
  StartAdapter();
  auto response = PostSigned(Target(), OurCall(ReadFixture("telnyx_call_hangup.json")));
  ASSERT_THAT(response, HasHttpStatus(200));
  EXPECT_EQ(response->body, "{}");
  EXPECT_THAT(response->content_type, StartsWith("application/json"));

  ReportProviderEventRequest expected;
  expected.set_tenant_id("acme");
  expected.set_provider(v1::PROVIDER_TELNYX);
  expected.set_call_id(kCallId);
  expected.mutable_provider_ids()->set_call_control_id(kCallControlId);
  expected.mutable_provider_ids()->set_call_leg_id("428c31b6-7af4-4bcb-b7f5-5013ef9657c1");
  expected.mutable_provider_ids()->set_call_session_id("428c31b6-7af4-4bcb-b7f5-5013ef9657c1");
  expected.set_provider_status("call.hangup:call_rejected");
  expected.set_status(v1::CALL_STATUS_BUSY);
  expected.set_provider_sequence(-1);
  expected.mutable_occurred_time()->set_seconds(1517610327);  // 2018-02-02T22:25:27.521992Z
  expected.mutable_occurred_time()->set_nanos(521992000);
  expected.set_duration_seconds(-1);
  expected.set_from("+35319605860");
  expected.set_to("+35319605860");
  expected.set_provider_event_id("0ccc7b54-4df3-4bca-a65a-3da1ecc777f0");
  expected.mutable_hangup()->set_cause("call_rejected");
  expected.mutable_hangup()->set_source("caller");
  expected.mutable_hangup()->set_sip_cause("603");

  const auto requests = daemon_.service().requests();
  ASSERT_EQ(requests.size(), 1u);
  std::string diff;
  google::protobuf::util::MessageDifferencer differencer;
  differencer.ReportDifferencesToString(&diff);
  EXPECT_TRUE(differencer.Compare(expected, requests[0])) << diff;
}

TEST_F(TelnyxWebhookTest, EveryFixtureIsForwarded) {
  StartAdapter();
  for (const char* fixture :
       {"telnyx_call_initiated.json", "telnyx_call_answered.json", "telnyx_call_hangup.json"}) {
    EXPECT_THAT(PostSigned(Target(), OurCall(ReadFixture(fixture))), HasHttpStatus(200)) << fixture;
  }
  const auto requests = daemon_.service().requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].status(), v1::CALL_STATUS_INITIATED);
  EXPECT_EQ(requests[0].direction(), v1::CALL_DIRECTION_INBOUND);
  EXPECT_EQ(requests[1].status(), v1::CALL_STATUS_IN_PROGRESS);
  EXPECT_EQ(requests[1].provider_event_id(), "7f0a6b0e-1d2c-4f37-9a5e-2b1b3c4d5e6f");
  EXPECT_EQ(requests[2].status(), v1::CALL_STATUS_BUSY);
  for (const auto& request : requests) EXPECT_EQ(request.call_id(), kCallId);
}

// Audit finding 1: the query is not signed, so it never names the call; only the signed
// client_state does.
TEST_F(TelnyxWebhookTest, CallIdComesFromClientStateNeverFromTheQuery) {
  StartAdapter();
  const std::string client_state = absl::Base64Escape(kCallId);
  ASSERT_THAT(PostSigned("/webhooks/telnyx/acme?call_id=call_other",
                         EventBody("call.answered", "\"client_state\":\"" + client_state + "\"")),
              HasHttpStatus(200));
  ASSERT_THAT(PostSigned(Target(), EventBody("call.answered")), HasHttpStatus(200));
  const auto requests = daemon_.service().requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].call_id(), kCallId);
  EXPECT_EQ(requests[1].call_id(), "");
}

TEST_F(TelnyxWebhookTest, BadSignatureIs403AndDaemonIsNotCalled) {
  StartAdapter();
  const std::string body = ReadFixture("telnyx_call_hangup.json");
  // Signed with another tenant's key.
  EXPECT_THAT(PostSigned(Target(), body, &strict_keys_), HasHttpStatus(403));
  // Signed correctly, then the body changed.
  const std::string timestamp = std::to_string(absl::ToUnixSeconds(absl::Now()));
  auto signature = telnyx::SignWebhook(acme_keys_.private_key_base64, timestamp, body);
  ASSERT_THAT(signature, IsOk());
  std::string tampered = body;
  tampered.replace(tampered.find("call_rejected"), 13, "normal_cleari");
  EXPECT_THAT(Post(Target(), tampered, timestamp, *signature), HasHttpStatus(403));
  // Signed correctly, then the timestamp changed.
  EXPECT_THAT(
      Post(Target(), body, std::to_string(absl::ToUnixSeconds(absl::Now()) - 1), *signature),
      HasHttpStatus(403));
  // Missing headers, garbage signature.
  EXPECT_THAT(Post(Target(), body, "", *signature), HasHttpStatus(403));
  EXPECT_THAT(Post(Target(), body, timestamp, ""), HasHttpStatus(403));
  EXPECT_THAT(Post(Target(), body, "", ""), HasHttpStatus(403));
  EXPECT_THAT(Post(Target(), body, timestamp, "bm90IGEgc2lnbmF0dXJl"), HasHttpStatus(403));
  // The signature is checked before the body is read: garbage unsigned is 403, not 400.
  EXPECT_THAT(Post(Target(), "not json", "", "", "text/plain"), HasHttpStatus(403));
  EXPECT_TRUE(daemon_.service().requests().empty());
}

TEST_F(TelnyxWebhookTest, StaleOrFutureTimestampIs403) {
  StartAdapter();
  const std::string body = ReadFixture("telnyx_call_hangup.json");
  auto stale = PostSigned(Target(), body, &acme_keys_, absl::Minutes(6));
  ASSERT_THAT(stale, HasHttpStatus(403));
  EXPECT_THAT(stale->body, HasSubstr("replay window"));
  EXPECT_THAT(PostSigned(Target(), body, &acme_keys_, -absl::Minutes(6)), HasHttpStatus(403));
  // Inside the default 300 s window.
  EXPECT_THAT(PostSigned(Target(), body, &acme_keys_, absl::Minutes(4)), HasHttpStatus(200));
  EXPECT_EQ(daemon_.service().requests().size(), 1u);
}

TEST_F(TelnyxWebhookTest, ReplayWindowComesFromTheTenantConfig) {
  StartAdapter();
  const std::string body = ReadFixture("telnyx_call_answered.json");
  EXPECT_THAT(PostSigned(Target("strict"), body, &strict_keys_, absl::Minutes(2)),
              HasHttpStatus(403));
  EXPECT_THAT(PostSigned(Target("strict"), body, &strict_keys_, absl::Seconds(30)),
              HasHttpStatus(200));
  const auto requests = daemon_.service().requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].tenant_id(), "strict");
}

TEST_F(TelnyxWebhookTest, UnknownTenantOrTenantWithoutTelnyxIs404) {
  StartAdapter();
  const std::string body = ReadFixture("telnyx_call_hangup.json");
  EXPECT_THAT(PostSigned(Target("initech"), body), HasHttpStatus(404));
  EXPECT_THAT(PostSigned(Target("globex"), body), HasHttpStatus(404));
  EXPECT_THAT(PostSigned("/webhooks/telnyx/", body), HasHttpStatus(404));
  EXPECT_THAT(PostSigned("/webhooks/telnyx/acme/status", body), HasHttpStatus(404));
  EXPECT_TRUE(daemon_.service().requests().empty());
}

TEST_F(TelnyxWebhookTest, WrongMethodIs405) {
  StartAdapter();
  auto response = Get(Target());
  EXPECT_THAT(response, HasHttpStatus(405));
  EXPECT_TRUE(daemon_.service().requests().empty());
}

TEST_F(TelnyxWebhookTest, EventThatIsNotACallStateIsAcknowledgedWithoutTheDaemon) {
  StartAdapter();
  for (const char* event : {"call.dtmf.received", "call.speak.ended", "streaming.started"}) {
    auto response = PostSigned(Target(), EventBody(event, R"("digit":"5")"));
    ASSERT_THAT(response, HasHttpStatus(200)) << event;
    EXPECT_EQ(response->body, "{}");
  }
  // Only the event type is needed to drop one.
  EXPECT_THAT(PostSigned(Target(), R"({"data":{"event_type":"call.cost"}})"), HasHttpStatus(200));
  EXPECT_TRUE(daemon_.service().requests().empty());
  // call.recording.saved does not move the call, but the daemon records it.
  EXPECT_THAT(PostSigned(Target(), EventBody("call.recording.saved")), HasHttpStatus(200));
  const auto requests = daemon_.service().requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].status(), v1::CALL_STATUS_UNSPECIFIED);
  EXPECT_EQ(requests[0].provider_status(), "call.recording.saved");
}

TEST_F(TelnyxWebhookTest, MalformedInputIs400AndDaemonIsNotCalled) {
  StartAdapter();
  const std::string body = ReadFixture("telnyx_call_hangup.json");
  // Signed, but not declared as JSON.
  EXPECT_THAT(PostSigned(Target(), body, &acme_keys_, absl::ZeroDuration(),
                         "application/x-www-form-urlencoded"),
              HasHttpStatus(400));
  // Declared as JSON with a charset: fine.
  EXPECT_THAT(PostSigned(Target(), body, &acme_keys_, absl::ZeroDuration(),
                         "Application/JSON; charset=utf-8"),
              HasHttpStatus(200));
  EXPECT_EQ(daemon_.service().requests().size(), 1u);
  // Signed but not JSON, or missing what a call-state event needs.
  EXPECT_THAT(PostSigned(Target(), "not json"), HasHttpStatus(400));
  EXPECT_THAT(PostSigned(Target(), R"({"data":{}})"), HasHttpStatus(400));
  auto response = PostSigned(
      Target(), R"({"data":{"event_type":"call.answered","id":"e1","payload":{"to":"+1"}}})");
  ASSERT_THAT(response, HasHttpStatus(400));
  EXPECT_THAT(response->body, HasSubstr("data.payload.call_control_id"));
  EXPECT_THAT(PostSigned(Target(), R"({"data":{"event_type":"call.answered","payload":{}}})"),
              HasHttpStatus(400));
  EXPECT_EQ(daemon_.service().requests().size(), 1u);
}

TEST_F(TelnyxWebhookTest, DaemonDownIs503) {
  const int port = UnusedPort();
  ASSERT_GT(port, 0);
  StartAdapter("127.0.0.1:" + std::to_string(port), std::chrono::milliseconds(500));
  EXPECT_THAT(PostSigned(Target(), ReadFixture("telnyx_call_hangup.json")), HasHttpStatus(503));
}

TEST_F(TelnyxWebhookTest, DaemonAnswersMapToHttpStatuses) {
  StartAdapter();
  const std::string body = ReadFixture("telnyx_call_answered.json");
  const std::pair<grpc::StatusCode, int> cases[] = {{grpc::StatusCode::UNAVAILABLE, 503},
                                                    {grpc::StatusCode::INVALID_ARGUMENT, 400},
                                                    {grpc::StatusCode::NOT_FOUND, 404},
                                                    {grpc::StatusCode::INTERNAL, 500},
                                                    {grpc::StatusCode::OK, 200}};
  for (const auto& [code, http_status] : cases) {
    daemon_.service().SetAnswer(grpc::Status(code, code == grpc::StatusCode::OK ? "" : "nope"));
    EXPECT_THAT(PostSigned(Target(), body), HasHttpStatus(http_status)) << code;
  }
}

TEST_F(TelnyxWebhookTest, DaemonRefusingTheAdapterKeyIs500) {
  FakeDaemon other_key_daemon("the-daemon-expects-another-key");
  ASSERT_TRUE(other_key_daemon.started());
  StartAdapter(other_key_daemon.address());
  EXPECT_THAT(PostSigned(Target(), ReadFixture("telnyx_call_hangup.json")), HasHttpStatus(500));
  EXPECT_EQ(other_key_daemon.service().unauthenticated(), 1);
  EXPECT_TRUE(other_key_daemon.service().requests().empty());
  adapter_->Shutdown();
}

}  // namespace
}  // namespace callcontrol::webhook_adapter
