// Runs the whole adapter in-process on 127.0.0.1:0 against a real in-process gRPC daemon double,
// and talks to it over real HTTP.
#include "webhook_adapter/adapter.h"

#include <atomic>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/time/clock.h"
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
#include "tests/webhook_adapter/test_support.h"
#include "webhook_adapter/webhook_router.h"

namespace callcontrol::webhook_adapter {
namespace {

using ::callcontrol::testing::IsOk;
using ::callcontrol::testing::ReadFixture;
using ::callcontrol::testing::StatusIs;
using internal::v1::ReportProviderEventRequest;
using ::testing::HasSubstr;

constexpr char kPublicUrl[] = "https://hooks.example.com";
constexpr char kAcmeToken[] = "acme-auth-token-0123456789abcdef";
constexpr char kGlobexToken[] = "globex-auth-token-fedcba9876543210";
constexpr char kCallId[] = "call_0123456789abcdef0123456789abcdef";
constexpr char kCallSid[] = "CA00000000000000000000000000000001";
constexpr char kForm[] = "application/x-www-form-urlencoded";

// A config that common/config accepts (each tenant with an API key, the daemon with the
// adapter's credential), parsed from JSON; `public_url` is set afterwards, so tests may give
// values the parser would refuse.
config::Config TestConfig(const std::string& daemon_address, const std::string& public_url,
                          const std::string& internal_api_key = kFakeDaemonApiKey) {
  const nlohmann::json json = {
      {"daemon", {{"internal_api_key", internal_api_key.empty() ? "unset" : internal_api_key}}},
      {"adapter",
       {{"listen", "127.0.0.1:0"}, {"daemon_address", daemon_address}, {"io_threads", 2}}},
      {"tenants",
       {{{"id", "acme"},
         {"api_keys", {config::HashApiKey("acme-api-key")}},
         {"twilio",
          {{"account_sid", "AC00000000000000000000000000000001"}, {"auth_token", kAcmeToken}}}},
        {{"id", "globex"},
         {"api_keys", {config::HashApiKey("globex-api-key")}},
         {"twilio",
          {{"account_sid", "AC00000000000000000000000000000002"},
           {"auth_token", kGlobexToken}}}}}}};
  auto config = providers::ParseConfig(json.dump());
  EXPECT_THAT(config, IsOk());
  if (!config.ok()) return {};
  config->adapter.public_url = public_url;
  config->daemon.internal_api_key = internal_api_key;
  return *std::move(config);
}

class AdapterTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(daemon_.started()); }

  void TearDown() override {
    if (adapter_ != nullptr) adapter_->Shutdown();
    adapter_.reset();
    daemon_.Stop();
  }

  void StartAdapter(const std::string& public_url = kPublicUrl, std::string daemon_address = "",
                    std::chrono::milliseconds deadline = std::chrono::milliseconds(5000),
                    const std::string& internal_api_key = kFakeDaemonApiKey) {
    if (daemon_address.empty()) daemon_address = daemon_.address();
    Adapter::Options options;
    options.daemon_deadline = deadline;
    auto adapter =
        Adapter::Start(TestConfig(daemon_address, public_url, internal_api_key), options);
    ASSERT_THAT(adapter, IsOk());
    adapter_ = *std::move(adapter);
  }

  std::string LocalUrl(const std::string& target) const {
    return "http://127.0.0.1:" + std::to_string(adapter_->port()) + target;
  }

  // POSTs `body` to `target` with an X-Twilio-Signature header (none when `signature` is empty).
  absl::StatusOr<http::ClientResponse> Post(const std::string& target, const std::string& body,
                                            const std::string& signature,
                                            const std::string& content_type = kForm) {
    http::ClientRequest request;
    request.method = "POST";
    request.url = LocalUrl(target);
    request.body = body;
    request.headers.emplace_back("Content-Type", content_type);
    if (!signature.empty()) request.headers.emplace_back("X-Twilio-Signature", signature);
    return client_.Send(request);
  }

  // POSTs `body` signed as Twilio would for `signed_base` + `target` with `token`.
  absl::StatusOr<http::ClientResponse> PostSigned(const std::string& target,
                                                  const std::string& body,
                                                  const std::string& token = kAcmeToken,
                                                  const std::string& signed_base = kPublicUrl) {
    auto params = http::ParseForm(body);
    EXPECT_THAT(params, IsOk());
    const std::string signature = twilio::ComputeSignature(
        token, signed_base + target, params.ok() ? *params : http::FormParams{});
    return Post(target, body, signature);
  }

  absl::StatusOr<http::ClientResponse> Get(const std::string& target) {
    http::ClientRequest request;
    request.url = LocalUrl(target);
    return client_.Send(request);
  }

  static std::string StatusTarget(const std::string& tenant = "acme") {
    return "/webhooks/twilio/" + tenant + "/status?call_id=" + kCallId;
  }

  FakeDaemon daemon_;
  std::unique_ptr<Adapter> adapter_;
  http::HttpClient client_;
};

ReportProviderEventRequest CompletedFixtureRequest() {
  ReportProviderEventRequest expected;
  expected.set_tenant_id("acme");
  expected.set_provider(v1::PROVIDER_TWILIO);
  expected.set_call_id(kCallId);
  expected.mutable_provider_ids()->set_call_sid(kCallSid);
  expected.set_provider_status("completed");
  expected.set_status(v1::CALL_STATUS_COMPLETED);
  expected.set_provider_sequence(3);
  expected.mutable_occurred_time()->set_seconds(1521971599);  // Sun, 25 Mar 2018 09:53:19 +0000
  expected.set_duration_seconds(49);
  expected.set_direction(v1::CALL_DIRECTION_OUTBOUND);
  expected.set_from("+16466063895");
  expected.set_to("+551135892112");
  expected.set_sip_response_code(0);
  return expected;
}

TEST_F(AdapterTest, SignedStatusCallbackIsForwardedAndAnsweredWithEmptyTwiml) {
  StartAdapter();
  auto response = PostSigned(StatusTarget(), ReadFixture("twilio_status_completed.form"));
  ASSERT_THAT(response, HasHttpStatus(200));
  EXPECT_EQ(response->body, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>");
  EXPECT_THAT(response->content_type, ::testing::StartsWith("text/xml"));

  const auto requests = daemon_.service().requests();
  ASSERT_EQ(requests.size(), 1u);
  std::string diff;
  google::protobuf::util::MessageDifferencer differencer;
  differencer.ReportDifferencesToString(&diff);
  EXPECT_TRUE(differencer.Compare(CompletedFixtureRequest(), requests[0])) << diff;
}

TEST_F(AdapterTest, EveryStatusFixtureIsForwarded) {
  StartAdapter();
  for (const char* fixture :
       {"twilio_status_ringing.form", "twilio_status_busy.form", "twilio_status_completed.form"}) {
    EXPECT_THAT(PostSigned(StatusTarget(), ReadFixture(fixture)), HasHttpStatus(200)) << fixture;
  }
  const auto requests = daemon_.service().requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].status(), v1::CALL_STATUS_RINGING);
  EXPECT_EQ(requests[1].status(), v1::CALL_STATUS_BUSY);
  EXPECT_EQ(requests[1].sip_response_code(), 486);
  EXPECT_EQ(requests[2].status(), v1::CALL_STATUS_COMPLETED);
}

TEST_F(AdapterTest, CallIdIsOptional) {
  StartAdapter();
  const std::string target = "/webhooks/twilio/acme/status";
  ASSERT_THAT(PostSigned(target, ReadFixture("twilio_status_ringing.form")), HasHttpStatus(200));
  const auto requests = daemon_.service().requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].call_id(), "");
}

TEST_F(AdapterTest, BadSignatureIs403AndDaemonIsNotCalled) {
  StartAdapter();
  const std::string body = ReadFixture("twilio_status_completed.form");
  // Signed with another tenant's token.
  EXPECT_THAT(PostSigned(StatusTarget(), body, kGlobexToken), HasHttpStatus(403));
  // A signature that is not base64 HMAC at all.
  EXPECT_THAT(Post(StatusTarget(), body, "not-a-signature"), HasHttpStatus(403));
  // Body tampered after signing.
  auto params = http::ParseForm(body);
  ASSERT_THAT(params, IsOk());
  const std::string signature =
      twilio::ComputeSignature(kAcmeToken, std::string(kPublicUrl) + StatusTarget(), *params);
  std::string tampered = body;
  tampered.replace(tampered.find("CallDuration=49"), 15, "CallDuration=99");
  EXPECT_THAT(Post(StatusTarget(), tampered, signature), HasHttpStatus(403));
  // Query tampered after signing (another call id).
  EXPECT_THAT(Post("/webhooks/twilio/acme/status?call_id=call_ffffffffffffffffffffffffffffffff",
                   body, signature),
              HasHttpStatus(403));
  EXPECT_TRUE(daemon_.service().requests().empty());
}

TEST_F(AdapterTest, MissingSignatureIs403AndDaemonIsNotCalled) {
  StartAdapter();
  EXPECT_THAT(Post(StatusTarget(), ReadFixture("twilio_status_completed.form"), ""),
              HasHttpStatus(403));
  EXPECT_TRUE(daemon_.service().requests().empty());
}

TEST_F(AdapterTest, SignatureOverListenAddressIsRejectedBehindProxy) {
  StartAdapter();
  // What a validator that trusted the Host header would accept: the adapter checks the public URL.
  const std::string local_base = "http://127.0.0.1:" + std::to_string(adapter_->port());
  EXPECT_THAT(PostSigned(StatusTarget(), ReadFixture("twilio_status_completed.form"), kAcmeToken,
                         local_base),
              HasHttpStatus(403));
  EXPECT_TRUE(daemon_.service().requests().empty());
}

TEST_F(AdapterTest, SignatureOverPublicUrlWithOtherHostAndPortIsAccepted) {
  const std::string public_url = "https://proxy.example.net:8443/";  // trailing '/' is trimmed
  StartAdapter(public_url);
  const std::string body = ReadFixture("twilio_status_busy.form");
  EXPECT_THAT(PostSigned(StatusTarget(), body, kAcmeToken, "https://proxy.example.net:8443"),
              HasHttpStatus(200));
  // Twilio-style port leniency: a signature over the URL without the port also validates.
  EXPECT_THAT(PostSigned(StatusTarget(), body, kAcmeToken, "https://proxy.example.net"),
              HasHttpStatus(200));
  EXPECT_EQ(daemon_.service().requests().size(), 2u);
}

TEST_F(AdapterTest, MalformedInputIs400AndDaemonIsNotCalled) {
  StartAdapter();
  const std::string body = ReadFixture("twilio_status_completed.form");
  // Not a form.
  EXPECT_THAT(Post(StatusTarget(), "{\"CallSid\":\"x\"}", "sig", "application/json"),
              HasHttpStatus(400));
  // Broken %-escape in the body and in the query.
  EXPECT_THAT(Post(StatusTarget(), "CallSid=%ZZ&CallStatus=ringing", "sig"), HasHttpStatus(400));
  EXPECT_THAT(PostSigned("/webhooks/twilio/acme/status?call_id=%G1", body), HasHttpStatus(400));
  // Correctly signed but missing or malformed fields.
  EXPECT_THAT(PostSigned(StatusTarget(), "CallStatus=ringing"), HasHttpStatus(400));
  EXPECT_THAT(PostSigned(StatusTarget(), "CallSid=CA123&CallStatus=ringing"), HasHttpStatus(400));
  EXPECT_THAT(PostSigned(StatusTarget(), std::string("CallSid=") + kCallSid), HasHttpStatus(400));
  EXPECT_THAT(PostSigned(StatusTarget(), std::string("CallSid=") + kCallSid +
                                             "&CallStatus=ringing&SequenceNumber=two"),
              HasHttpStatus(400));
  EXPECT_TRUE(daemon_.service().requests().empty());
}

// Audit finding 2: a value that decodes to bytes that are not UTF-8 (or is huge) gets its own
// 400 here; it never reaches the daemon, where it would have failed its whole batch.
TEST_F(AdapterTest, NonUtf8OrHugeFieldIs400AndNeverReachesTheDaemon) {
  StartAdapter();
  const std::string good = std::string("CallSid=") + kCallSid + "&CallStatus=ringing";
  auto response = PostSigned(StatusTarget(), good + "&From=%FF");
  ASSERT_THAT(response, HasHttpStatus(400));
  EXPECT_EQ(response->body, "from: not valid UTF-8\n");
  response = PostSigned(StatusTarget(), good + "&From=" + std::string(8000, '1'));
  ASSERT_THAT(response, HasHttpStatus(400));
  EXPECT_THAT(response->body, HasSubstr("at most 4096"));
  EXPECT_TRUE(daemon_.service().requests().empty());
  EXPECT_THAT(PostSigned(StatusTarget(), good), HasHttpStatus(200));
  EXPECT_EQ(daemon_.service().requests().size(), 1u);
}

// Per-route body limits: a Twilio form post over 64 KiB is refused before it is read.
TEST_F(AdapterTest, BodyOverTheRoutesLimitIs413) {
  StartAdapter();
  const std::string good = std::string("CallSid=") + kCallSid + "&CallStatus=ringing";
  auto response = PostSigned(StatusTarget(), good + "&Pad=" + std::string(70 * 1024, 'p'));
  ASSERT_THAT(response, HasHttpStatus(413));
  EXPECT_EQ(response->body, "body larger than 65536 bytes\n");
  EXPECT_TRUE(daemon_.service().requests().empty());
}

TEST_F(AdapterTest, FormContentTypeWithCharsetIsAccepted) {
  StartAdapter();
  const std::string body = ReadFixture("twilio_status_ringing.form");
  auto params = http::ParseForm(body);
  ASSERT_THAT(params, IsOk());
  const std::string signature =
      twilio::ComputeSignature(kAcmeToken, std::string(kPublicUrl) + StatusTarget(), *params);
  EXPECT_THAT(
      Post(StatusTarget(), body, signature, "Application/X-WWW-Form-Urlencoded; charset=utf-8"),
      HasHttpStatus(200));
}

TEST_F(AdapterTest, UnknownStatusWordIsForwardedAsUnspecified) {
  StartAdapter();
  ASSERT_THAT(PostSigned(StatusTarget(), std::string("CallSid=") + kCallSid +
                                             "&CallStatus=ongoing&SequenceNumber=7"),
              HasHttpStatus(200));
  const auto requests = daemon_.service().requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].status(), v1::CALL_STATUS_UNSPECIFIED);
  EXPECT_EQ(requests[0].provider_status(), "ongoing");
  EXPECT_EQ(requests[0].provider_sequence(), 7);
}

TEST_F(AdapterTest, UnknownTenantIs404) {
  StartAdapter();
  EXPECT_THAT(PostSigned(StatusTarget("initech"), ReadFixture("twilio_status_completed.form")),
              HasHttpStatus(404));
  EXPECT_TRUE(daemon_.service().requests().empty());
}

TEST_F(AdapterTest, WrongMethodIs405) {
  StartAdapter();
  EXPECT_THAT(Get(StatusTarget()), HasHttpStatus(405));
  EXPECT_TRUE(daemon_.service().requests().empty());
}

TEST_F(AdapterTest, UnknownPathsAre404) {
  StartAdapter();
  for (const char* target : {"/", "/webhooks/twilio/acme", "/webhooks/twilio/acme/status/x",
                             "/webhooks/twilio//status", "/webhooks/telnyx/acme", "/healthz/x"}) {
    EXPECT_THAT(Get(target), HasHttpStatus(404)) << target;
  }
}

TEST_F(AdapterTest, DaemonUnavailableIs503) {
  daemon_.service().SetAnswer(grpc::Status(grpc::StatusCode::UNAVAILABLE, "store busy"));
  StartAdapter();
  EXPECT_THAT(PostSigned(StatusTarget(), ReadFixture("twilio_status_completed.form")),
              HasHttpStatus(503));
  EXPECT_EQ(daemon_.service().requests().size(), 1u);
}

TEST_F(AdapterTest, DaemonErrorsMapToHttpStatuses) {
  StartAdapter();
  const std::string body = ReadFixture("twilio_status_completed.form");
  const std::pair<grpc::StatusCode, int> cases[] = {
      {grpc::StatusCode::INVALID_ARGUMENT, 400},  {grpc::StatusCode::NOT_FOUND, 404},
      {grpc::StatusCode::INTERNAL, 500},          {grpc::StatusCode::PERMISSION_DENIED, 500},
      {grpc::StatusCode::DEADLINE_EXCEEDED, 503}, {grpc::StatusCode::OK, 200}};
  for (const auto& [code, http_status] : cases) {
    daemon_.service().SetAnswer(grpc::Status(code, code == grpc::StatusCode::OK ? "" : "nope"));
    EXPECT_THAT(PostSigned(StatusTarget(), body), HasHttpStatus(http_status)) << code;
  }
}

TEST_F(AdapterTest, WrongOrMissingInternalApiKeyIs500AndNothingIsRecorded) {
  // The daemon refuses the adapter's credential (UNAUTHENTICATED): a misconfiguration, not
  // something a provider retry fixes quickly, so 500 (and an error log) rather than 503.
  StartAdapter(kPublicUrl, "", std::chrono::milliseconds(5000), "some-other-key");
  const std::string body = ReadFixture("twilio_status_completed.form");
  EXPECT_THAT(PostSigned(StatusTarget(), body), HasHttpStatus(500));
  adapter_->Shutdown();
  StartAdapter(kPublicUrl, "", std::chrono::milliseconds(5000), "");
  EXPECT_THAT(PostSigned(StatusTarget(), body), HasHttpStatus(500));
  EXPECT_EQ(daemon_.service().unauthenticated(), 2);
  EXPECT_TRUE(daemon_.service().requests().empty());
  // The right key gets through.
  adapter_->Shutdown();
  StartAdapter();
  EXPECT_THAT(PostSigned(StatusTarget(), body), HasHttpStatus(200));
  EXPECT_EQ(daemon_.service().requests().size(), 1u);
}

TEST_F(AdapterTest, DaemonTooSlowIs503) {
  daemon_.service().Hold();
  StartAdapter(kPublicUrl, "", std::chrono::milliseconds(300));
  EXPECT_THAT(PostSigned(StatusTarget(), ReadFixture("twilio_status_completed.form")),
              HasHttpStatus(503));
}

TEST_F(AdapterTest, DaemonNotRunningIs503) {
  const int port = UnusedPort();
  ASSERT_GT(port, 0);
  StartAdapter(kPublicUrl, "127.0.0.1:" + std::to_string(port), std::chrono::milliseconds(500));
  EXPECT_THAT(PostSigned(StatusTarget(), ReadFixture("twilio_status_completed.form")),
              HasHttpStatus(503));
  // Liveness does not depend on the daemon.
  auto health = Get("/healthz");
  ASSERT_THAT(health, HasHttpStatus(200));
  const auto json = nlohmann::json::parse(health->body);
  EXPECT_EQ(json.at("status"), "ok");
  EXPECT_NE(json.at("daemon"), "ready");
}

TEST_F(AdapterTest, DaemonStoppedAfterConnectingIs503OnceTheDeadlinePasses) {
  // Webhooks wait for the daemon to come back (a restart must not lose Twilio callbacks, which
  // Twilio does not retry), but no longer than the deadline.
  StartAdapter(kPublicUrl, "", std::chrono::milliseconds(400));
  const std::string body = ReadFixture("twilio_status_completed.form");
  ASSERT_THAT(PostSigned(StatusTarget(), body), HasHttpStatus(200));
  daemon_.Stop();
  const absl::Time start = absl::Now();
  EXPECT_THAT(PostSigned(StatusTarget(), body), HasHttpStatus(503));
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(300));
  EXPECT_LT(absl::Now() - start, absl::Seconds(3));
}

TEST_F(AdapterTest, HealthzReportsTheDaemonChannel) {
  StartAdapter();
  // The client connects at start; wait (bounded) for the channel to be ready.
  std::string state;
  const absl::Time deadline = absl::Now() + absl::Seconds(5);
  while (absl::Now() < deadline) {
    auto health = Get("/healthz");
    ASSERT_THAT(health, HasHttpStatus(200));
    EXPECT_THAT(health->content_type, ::testing::StartsWith("application/json"));
    const auto json = nlohmann::json::parse(health->body);
    EXPECT_EQ(json.at("status"), "ok");
    state = json.at("daemon").get<std::string>();
    EXPECT_THAT(state, ::testing::AnyOf("ready", "idle", "connecting", "transient_failure"));
    if (state == "ready") break;
    absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_EQ(state, "ready");
}

TEST_F(AdapterTest, ConcurrentWebhooksAreAllForwarded) {
  StartAdapter();
  const std::string body = ReadFixture("twilio_status_completed.form");
  constexpr int kThreads = 4;
  constexpr int kPerThread = 50;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      http::HttpClient client;
      auto params = http::ParseForm(body);
      const std::string signature =
          twilio::ComputeSignature(kAcmeToken, std::string(kPublicUrl) + StatusTarget(), *params);
      for (int i = 0; i < kPerThread; ++i) {
        http::ClientRequest request;
        request.method = "POST";
        request.url = LocalUrl(StatusTarget());
        request.body = body;
        request.headers = {{"Content-Type", kForm}, {"X-Twilio-Signature", signature}};
        auto response = client.Send(request);
        if (response.ok() && response->status == 200) ok.fetch_add(1);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(ok.load(), kThreads * kPerThread);
  EXPECT_EQ(daemon_.service().requests().size(), static_cast<size_t>(kThreads * kPerThread));
}

TEST_F(AdapterTest, ShutdownLetsWebhooksInFlightFinish) {
  daemon_.service().Hold();
  StartAdapter();
  absl::StatusOr<http::ClientResponse> in_flight;
  std::thread sender([&] {
    http::HttpClient client;
    auto params = http::ParseForm(ReadFixture("twilio_status_completed.form"));
    http::ClientRequest request;
    request.method = "POST";
    request.url = LocalUrl(StatusTarget());
    request.body = ReadFixture("twilio_status_completed.form");
    request.headers = {
        {"Content-Type", kForm},
        {"X-Twilio-Signature",
         twilio::ComputeSignature(kAcmeToken, std::string(kPublicUrl) + StatusTarget(), *params)}};
    in_flight = client.Send(request);
  });
  ASSERT_TRUE(daemon_.service().WaitForRequests(1));
  std::thread stopper([&] { adapter_->Shutdown(); });
  // While it drains, the adapter answers new webhooks 503 at once (the provider retries). A probe
  // sent before draining began waits on the held daemon; it times out and the loop tries again.
  bool refused_new_webhook = false;
  const std::string body = ReadFixture("twilio_status_ringing.form");
  const absl::Time deadline = absl::Now() + absl::Seconds(5);
  while (!refused_new_webhook && absl::Now() < deadline) {
    http::HttpClient probe_client;
    auto params = http::ParseForm(body);
    http::ClientRequest probe;
    probe.method = "POST";
    probe.url = LocalUrl(StatusTarget());
    probe.body = body;
    probe.timeout = std::chrono::milliseconds(300);
    probe.headers = {
        {"Content-Type", kForm},
        {"X-Twilio-Signature",
         twilio::ComputeSignature(kAcmeToken, std::string(kPublicUrl) + StatusTarget(), *params)}};
    auto response = probe_client.Send(probe);
    refused_new_webhook = response.ok() && response->status == 503;
  }
  EXPECT_TRUE(refused_new_webhook);
  // The webhook in flight is still waiting for the daemon; its answer goes out.
  daemon_.service().ReleaseHeld(grpc::Status::OK);
  sender.join();
  stopper.join();
  EXPECT_THAT(in_flight, HasHttpStatus(200));
  // Stopped: new connections are refused.
  http::ClientRequest health;
  health.url = LocalUrl("/healthz");
  EXPECT_THAT(http::HttpClient().Send(health), StatusIs(absl::StatusCode::kUnavailable));
}

TEST(WebhookRouterTest, DaemonCodesMapToHttpStatuses) {
  EXPECT_EQ(HttpStatusForDaemonCode(absl::StatusCode::kOk), 200);
  EXPECT_EQ(HttpStatusForDaemonCode(absl::StatusCode::kUnavailable), 503);
  EXPECT_EQ(HttpStatusForDaemonCode(absl::StatusCode::kDeadlineExceeded), 503);
  EXPECT_EQ(HttpStatusForDaemonCode(absl::StatusCode::kInvalidArgument), 400);
  EXPECT_EQ(HttpStatusForDaemonCode(absl::StatusCode::kNotFound), 404);
  EXPECT_EQ(HttpStatusForDaemonCode(absl::StatusCode::kInternal), 500);
  EXPECT_EQ(HttpStatusForDaemonCode(absl::StatusCode::kCancelled), 500);
  EXPECT_EQ(HttpStatusForDaemonCode(absl::StatusCode::kPermissionDenied), 500);
}

TEST(AdapterStartTest, RejectsBadPublicUrlAndUnbindableAddress) {
  config::Config config = TestConfig("127.0.0.1:1", "ftp://hooks.example.com");
  EXPECT_THAT(Adapter::Start(config, {}), StatusIs(absl::StatusCode::kInvalidArgument));
  config.adapter.public_url = "https://hooks.example.com/?x=1";
  EXPECT_THAT(Adapter::Start(config, {}), StatusIs(absl::StatusCode::kInvalidArgument));
  config = TestConfig("127.0.0.1:1", kPublicUrl);
  config.adapter.listen = "127.0.0.1";
  EXPECT_THAT(Adapter::Start(config, {}), StatusIs(absl::StatusCode::kInvalidArgument));
  config.adapter.listen = "127.0.0.1:0";
  config.adapter.daemon_address = "";
  EXPECT_THAT(Adapter::Start(config, {}), StatusIs(absl::StatusCode::kInvalidArgument));
  // A port already in use.
  config = TestConfig("127.0.0.1:1", kPublicUrl);
  auto first = Adapter::Start(config, {});
  ASSERT_THAT(first, IsOk());
  config.adapter.listen = "127.0.0.1:" + std::to_string((*first)->port());
  EXPECT_THAT(Adapter::Start(config, {}), StatusIs(absl::StatusCode::kUnavailable));
}

}  // namespace
}  // namespace callcontrol::webhook_adapter
