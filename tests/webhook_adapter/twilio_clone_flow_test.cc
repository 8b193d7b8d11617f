// The Twilio voice-clone pre-call flow end to end in-process: the adapter on 127.0.0.1:0 over
// real HTTP, a real gRPC daemon double answering StartInboundCall and GetCloneProgress.
#include <map>
#include <string>
#include <utility>

#include "absl/time/clock.h"
#include "common/config/config.h"
#include "common/http/form.h"
#include "common/http/http_client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "providers/registry.h"
#include "providers/twilio/twilio_signature.h"
#include "pugixml.hpp"
#include "tests/testing/fixtures.h"
#include "tests/testing/status_matchers.h"
#include "tests/webhook_adapter/fake_daemon.h"
#include "tests/webhook_adapter/test_support.h"
#include "webhook_adapter/adapter.h"

namespace callcontrol::webhook_adapter {
namespace {

using ::callcontrol::testing::IsOk;
using ::callcontrol::testing::ReadFixture;
using internal::v1::GetCloneProgressResponse;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr char kPublicUrl[] = "https://hooks.example.com";
constexpr char kAcmeToken[] = "acme-auth-token-0123456789abcdef";
constexpr char kGlobexToken[] = "globex-auth-token-fedcba9876543210";
constexpr char kPlainToken[] = "plain-auth-token-00112233445566";
constexpr char kCallId[] = "call_0123456789abcdef0123456789abcdef";
constexpr char kCallSid[] = "CA00000000000000000000000000000001";
constexpr char kStreamUrl[] = "wss://agent.example.com/stream";
constexpr char kGreeting[] = "Hello & welcome, please hold.";
constexpr char kFailureMessage[] = "Sorry, goodbye.";
constexpr char kDefaultVoice[] = "voice-default-001";
constexpr char kAgentToken[] = "v1.eyJjYWxsX2lkIjoiY2FsbF8wMTIzIn0.c2lnbmF0dXJl";
// Secrets of the config that must never reach TwiML.
constexpr char kVoiceApiKey[] = "xi-secret-voice-api-key-0123456789";
constexpr char kAgentTokenSecret[] = "agent-token-secret-abcdefghijklmnop";
constexpr char kForm[] = "application/x-www-form-urlencoded";

nlohmann::json CloneBlock(bool enabled, const std::string& on_failure,
                          const std::string& hold_music_url) {
  return {{"enabled", enabled},
          {"greeting_text", kGreeting},
          {"hold_music_url", hold_music_url},
          {"agent_stream_url", kStreamUrl},
          {"max_wait_seconds", 30},
          {"poll_interval_seconds", 3},
          {"on_failure", on_failure},
          {"failure_message", kFailureMessage},
          {"default_voice_id", kDefaultVoice},
          {"voice_api_key", kVoiceApiKey},
          {"agent_token_secret", kAgentTokenSecret}};
}

nlohmann::json Tenant(const std::string& id, const std::string& token, nlohmann::json clone) {
  return {
      {"id", id},
      {"api_keys", {config::HashApiKey(id + "-api-key")}},
      {"twilio", {{"account_sid", "AC00000000000000000000000000000001"}, {"auth_token", token}}},
      {"clone", std::move(clone)}};
}

// acme: clone flow on, hangup on failure, pauses; globex: on, connect_default_voice, hold music;
// plain: clone flow off.
config::Config TestConfig(const std::string& daemon_address) {
  const nlohmann::json json = {
      {"daemon", {{"internal_api_key", kFakeDaemonApiKey}}},
      {"adapter",
       {{"listen", "127.0.0.1:0"}, {"daemon_address", daemon_address}, {"io_threads", 2}}},
      {"tenants",
       {Tenant("acme", kAcmeToken, CloneBlock(true, "hangup", "")),
        Tenant("globex", kGlobexToken,
               CloneBlock(true, "connect_default_voice", "https://cdn.example.com/hold.mp3")),
        Tenant("plain", kPlainToken, CloneBlock(false, "hangup", ""))}}};
  auto config = providers::ParseConfig(json.dump());
  EXPECT_THAT(config, IsOk());
  if (!config.ok()) return {};
  config->adapter.public_url = kPublicUrl;
  return *std::move(config);
}

google::protobuf::Timestamp TimeFromNow(absl::Duration offset) {
  google::protobuf::Timestamp time;
  time.set_seconds(absl::ToUnixSeconds(absl::Now() + offset));
  return time;
}

// The daemon's answer: the job and what it decided the caller gets next (the adapter only renders
// next_action; tests/server/calls/clone_job_test.cc covers the decision).
GetCloneProgressResponse Progress(internal::v1::CloneNextAction next, v1::CloneState state,
                                  const std::string& voice_id = "", const std::string& token = "") {
  GetCloneProgressResponse progress;
  progress.set_call_id(kCallId);
  progress.mutable_clone()->set_state(state);
  *progress.mutable_clone()->mutable_deadline() = TimeFromNow(absl::Seconds(20));
  progress.set_next_action(next);
  progress.set_voice_id(voice_id);
  progress.set_agent_token(token);
  return progress;
}

class TwilioCloneFlowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(daemon_.started());
    auto adapter = Adapter::Start(TestConfig(daemon_.address()), Adapter::Options{});
    ASSERT_THAT(adapter, IsOk());
    adapter_ = *std::move(adapter);
  }

  void TearDown() override {
    if (adapter_ != nullptr) adapter_->Shutdown();
    adapter_.reset();
    daemon_.Stop();
  }

  absl::StatusOr<http::ClientResponse> Post(const std::string& target, const std::string& body,
                                            const std::string& signature) {
    http::ClientRequest request;
    request.method = "POST";
    request.url = "http://127.0.0.1:" + std::to_string(adapter_->port()) + target;
    request.body = body;
    request.headers.emplace_back("Content-Type", kForm);
    if (!signature.empty()) request.headers.emplace_back("X-Twilio-Signature", signature);
    return client_.Send(request);
  }

  // POSTs `body` to `target`, signed as Twilio signs public URL + target with `token`.
  absl::StatusOr<http::ClientResponse> PostSigned(const std::string& target,
                                                  const std::string& body,
                                                  const std::string& token = kAcmeToken) {
    auto params = http::ParseForm(body);
    EXPECT_THAT(params, IsOk());
    return Post(target, body,
                twilio::ComputeSignature(token, std::string(kPublicUrl) + target,
                                         params.ok() ? *params : http::FormParams{}));
  }

  // The form Twilio posts on a <Redirect method="POST">: the call's usual parameters.
  static std::string RedirectForm() {
    return "AccountSid=AC00000000000000000000000000000001&CallSid=" + std::string(kCallSid) +
           "&CallStatus=in-progress&Direction=inbound&From=%2B14158675309&To=%2B18005551212";
  }

  static std::string CloneStatusTarget(const std::string& tenant, int attempt) {
    return "/webhooks/twilio/" + tenant + "/clone-status?call_id=" + kCallId +
           "&attempt=" + std::to_string(attempt);
  }

  void StartInboundCallAnswers(bool with_clone) {
    internal::v1::StartInboundCallResponse answer;
    answer.set_call_id(kCallId);
    if (with_clone) answer.mutable_clone()->set_state(v1::CLONE_STATE_PENDING);
    daemon_.service().SetStartInboundCallAnswer(std::move(answer));
  }

  FakeDaemon daemon_;
  std::unique_ptr<Adapter> adapter_;
  http::HttpClient client_;
};

// Parses a TwiML answer; fails the test if it is not XML with a <Response> root.
pugi::xml_node ParseTwiml(const std::string& body, pugi::xml_document* doc) {
  EXPECT_THAT(body, StartsWith("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
  EXPECT_TRUE(doc->load_string(body.c_str())) << body;
  pugi::xml_node response = doc->child("Response");
  EXPECT_FALSE(response.empty()) << body;
  return response;
}

// The <Stream> parameters as name -> value.
std::map<std::string, std::string> StreamParameters(const pugi::xml_node& stream) {
  std::map<std::string, std::string> parameters;
  for (const pugi::xml_node& parameter : stream.children("Parameter")) {
    parameters[parameter.attribute("name").value()] = parameter.attribute("value").value();
  }
  return parameters;
}

void ExpectNoConfigSecret(const std::string& body) {
  EXPECT_THAT(body, Not(HasSubstr(kVoiceApiKey)));
  EXPECT_THAT(body, Not(HasSubstr(kAgentTokenSecret)));
  EXPECT_THAT(body, Not(HasSubstr(kAcmeToken)));
  EXPECT_THAT(body, Not(HasSubstr(kGlobexToken)));
  EXPECT_THAT(body, Not(HasSubstr(kFakeDaemonApiKey)));
}

TEST_F(TwilioCloneFlowTest, IncomingCallWithCloneFlowOnGetsGreetingRedirectingToCloneStatus) {
  StartInboundCallAnswers(/*with_clone=*/true);
  auto response =
      PostSigned("/webhooks/twilio/acme/voice", ReadFixture("twilio_incoming_call.form"));
  ASSERT_THAT(response, HasHttpStatus(200));
  EXPECT_THAT(response->content_type, StartsWith("text/xml"));

  pugi::xml_document doc;
  const pugi::xml_node twiml = ParseTwiml(response->body, &doc);
  EXPECT_EQ(std::string(twiml.child("Say").text().get()), kGreeting);
  EXPECT_EQ(twiml.child("Pause").attribute("length").as_int(), 3);
  const pugi::xml_node redirect = twiml.child("Redirect");
  EXPECT_EQ(std::string(redirect.attribute("method").value()), "POST");
  EXPECT_EQ(std::string(redirect.text().get()),
            std::string(kPublicUrl) + "/webhooks/twilio/acme/clone-status?call_id=" + kCallId +
                "&attempt=1");
  ExpectNoConfigSecret(response->body);

  const auto starts = daemon_.service().start_requests();
  ASSERT_EQ(starts.size(), 1u);
  EXPECT_EQ(starts[0].tenant_id(), "acme");
  EXPECT_EQ(starts[0].provider(), v1::PROVIDER_TWILIO);
  EXPECT_EQ(starts[0].provider_ids().call_sid(), kCallSid);
  EXPECT_EQ(starts[0].from(), "+14158675309");
  EXPECT_EQ(starts[0].to(), "+18005551212");
  EXPECT_EQ(starts[0].provider_status(), "ringing");
}

TEST_F(TwilioCloneFlowTest, IncomingCallWithCloneFlowOffConnectsTheDefaultVoice) {
  StartInboundCallAnswers(/*with_clone=*/false);
  auto response = PostSigned("/webhooks/twilio/plain/voice",
                             ReadFixture("twilio_incoming_call.form"), kPlainToken);
  ASSERT_THAT(response, HasHttpStatus(200));
  pugi::xml_document doc;
  const pugi::xml_node stream = ParseTwiml(response->body, &doc).child("Connect").child("Stream");
  EXPECT_EQ(std::string(stream.attribute("url").value()), kStreamUrl);
  EXPECT_EQ(StreamParameters(stream),
            (std::map<std::string, std::string>{
                {"call_id", kCallId}, {"tenant_id", "plain"}, {"voice_id", kDefaultVoice}}));
  ExpectNoConfigSecret(response->body);
}

TEST_F(TwilioCloneFlowTest, IncomingCallWithBadSignatureIs403AndDaemonIsNotCalled) {
  StartInboundCallAnswers(/*with_clone=*/true);
  const std::string body = ReadFixture("twilio_incoming_call.form");
  EXPECT_THAT(PostSigned("/webhooks/twilio/acme/voice", body, kGlobexToken), HasHttpStatus(403));
  EXPECT_THAT(Post("/webhooks/twilio/acme/voice", body, ""), HasHttpStatus(403));
  EXPECT_THAT(Post("/webhooks/twilio/acme/voice", body, "bm90LWEtc2lnbmF0dXJl"),
              HasHttpStatus(403));
  EXPECT_TRUE(daemon_.service().start_requests().empty());
}

TEST_F(TwilioCloneFlowTest, IncomingCallChecksTenantMethodAndCallSid) {
  const std::string body = ReadFixture("twilio_incoming_call.form");
  EXPECT_THAT(PostSigned("/webhooks/twilio/nobody/voice", body), HasHttpStatus(404));
  http::ClientRequest get;
  get.url = "http://127.0.0.1:" + std::to_string(adapter_->port()) + "/webhooks/twilio/acme/voice";
  EXPECT_THAT(client_.Send(get), HasHttpStatus(405));
  EXPECT_THAT(PostSigned("/webhooks/twilio/acme/voice", "From=%2B14158675309"), HasHttpStatus(400));
  EXPECT_TRUE(daemon_.service().start_requests().empty());
}

TEST_F(TwilioCloneFlowTest, IncomingCallWhileDaemonIsUnavailableIs503) {
  daemon_.service().SetStartInboundCallAnswer(
      {}, grpc::Status(grpc::StatusCode::UNAVAILABLE, "store busy"));
  EXPECT_THAT(PostSigned("/webhooks/twilio/acme/voice", ReadFixture("twilio_incoming_call.form")),
              HasHttpStatus(503));
}

TEST_F(TwilioCloneFlowTest, ProcessingBeforeDeadlineHoldsAndIncrementsAttempt) {
  daemon_.service().SetCloneProgress(
      kCallId, Progress(internal::v1::CLONE_NEXT_ACTION_HOLD, v1::CLONE_STATE_PROCESSING));
  auto response = PostSigned(CloneStatusTarget("acme", 4), RedirectForm());
  ASSERT_THAT(response, HasHttpStatus(200));
  EXPECT_THAT(response->content_type, StartsWith("text/xml"));
  pugi::xml_document doc;
  const pugi::xml_node twiml = ParseTwiml(response->body, &doc);
  EXPECT_EQ(twiml.child("Pause").attribute("length").as_int(), 3);
  EXPECT_EQ(std::string(twiml.child("Redirect").text().get()),
            std::string(kPublicUrl) + CloneStatusTarget("acme", 5));
  EXPECT_TRUE(twiml.child("Connect").empty());
  EXPECT_TRUE(twiml.child("Hangup").empty());

  const auto requests = daemon_.service().progress_requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].tenant_id(), "acme");
  EXPECT_EQ(requests[0].call_id(), kCallId);
}

TEST_F(TwilioCloneFlowTest, PendingHoldsWithHoldMusic) {
  daemon_.service().SetCloneProgress(
      kCallId, Progress(internal::v1::CLONE_NEXT_ACTION_HOLD, v1::CLONE_STATE_PENDING));
  auto response = PostSigned(CloneStatusTarget("globex", 1), RedirectForm(), kGlobexToken);
  ASSERT_THAT(response, HasHttpStatus(200));
  pugi::xml_document doc;
  const pugi::xml_node twiml = ParseTwiml(response->body, &doc);
  EXPECT_EQ(std::string(twiml.child("Play").text().get()), "https://cdn.example.com/hold.mp3");
  EXPECT_EQ(std::string(twiml.child("Redirect").text().get()),
            std::string(kPublicUrl) + CloneStatusTarget("globex", 2));
}

TEST_F(TwilioCloneFlowTest, CompletedConnectsTheStreamWithVoiceAndTokenButNoSecret) {
  daemon_.service().SetCloneProgress(
      kCallId, Progress(internal::v1::CLONE_NEXT_ACTION_CONNECT, v1::CLONE_STATE_COMPLETED,
                        "voice-cloned-42", kAgentToken));
  auto response = PostSigned(CloneStatusTarget("acme", 3), RedirectForm());
  ASSERT_THAT(response, HasHttpStatus(200));
  pugi::xml_document doc;
  const pugi::xml_node stream = ParseTwiml(response->body, &doc).child("Connect").child("Stream");
  EXPECT_EQ(std::string(stream.attribute("url").value()), kStreamUrl);
  EXPECT_EQ(StreamParameters(stream),
            (std::map<std::string, std::string>{{"call_id", kCallId},
                                                {"tenant_id", "acme"},
                                                {"voice_id", "voice-cloned-42"},
                                                {"token", kAgentToken}}));
  ExpectNoConfigSecret(response->body);
}

TEST_F(TwilioCloneFlowTest, FailedWithHangupPolicySaysTheMessageAndHangsUp) {
  for (const v1::CloneState state :
       {v1::CLONE_STATE_FAILED, v1::CLONE_STATE_TIMED_OUT, v1::CLONE_STATE_CANCELED}) {
    daemon_.service().SetCloneProgress(kCallId,
                                       Progress(internal::v1::CLONE_NEXT_ACTION_FAIL, state));
    auto response = PostSigned(CloneStatusTarget("acme", 2), RedirectForm());
    ASSERT_THAT(response, HasHttpStatus(200)) << v1::CloneState_Name(state);
    EXPECT_EQ(response->body, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Say>" +
                                  std::string(kFailureMessage) + "</Say><Hangup/></Response>")
        << v1::CloneState_Name(state);
  }
}

TEST_F(TwilioCloneFlowTest, FailActionAtTheDeadlineSaysTheMessageAndStopsRedirecting) {
  daemon_.service().SetCloneProgress(
      kCallId, Progress(internal::v1::CLONE_NEXT_ACTION_FAIL, v1::CLONE_STATE_PROCESSING));
  auto response = PostSigned(CloneStatusTarget("acme", 11), RedirectForm());
  ASSERT_THAT(response, HasHttpStatus(200));
  pugi::xml_document doc;
  const pugi::xml_node twiml = ParseTwiml(response->body, &doc);
  EXPECT_EQ(std::string(twiml.child("Say").text().get()), kFailureMessage);
  EXPECT_FALSE(twiml.child("Hangup").empty());
  EXPECT_TRUE(twiml.child("Redirect").empty());
}

TEST_F(TwilioCloneFlowTest, FailedWithConnectDefaultVoicePolicyConnectsTheDaemonsVoice) {
  // Past the deadline while processing, and failed: the daemon says CONNECT with the default
  // voice and the token it issued.
  for (auto progress : {Progress(internal::v1::CLONE_NEXT_ACTION_CONNECT,
                                 v1::CLONE_STATE_PROCESSING, kDefaultVoice, kAgentToken),
                        Progress(internal::v1::CLONE_NEXT_ACTION_CONNECT, v1::CLONE_STATE_FAILED,
                                 kDefaultVoice, kAgentToken)}) {
    daemon_.service().SetCloneProgress(kCallId, progress);
    auto response = PostSigned(CloneStatusTarget("globex", 6), RedirectForm(), kGlobexToken);
    ASSERT_THAT(response, HasHttpStatus(200));
    pugi::xml_document doc;
    const pugi::xml_node stream = ParseTwiml(response->body, &doc).child("Connect").child("Stream");
    EXPECT_EQ(StreamParameters(stream),
              (std::map<std::string, std::string>{{"call_id", kCallId},
                                                  {"tenant_id", "globex"},
                                                  {"voice_id", kDefaultVoice},
                                                  {"token", kAgentToken}}));
    ExpectNoConfigSecret(response->body);
  }
}

TEST_F(TwilioCloneFlowTest, UnknownCallGetsFailureTwimlWith200) {
  auto response = PostSigned(
      "/webhooks/twilio/acme/clone-status?call_id=call_ffffffffffffffffffffffffffffffff&attempt=1",
      RedirectForm());
  ASSERT_THAT(response, HasHttpStatus(200));
  pugi::xml_document doc;
  const pugi::xml_node twiml = ParseTwiml(response->body, &doc);
  EXPECT_FALSE(twiml.child("Hangup").empty());
}

TEST_F(TwilioCloneFlowTest, CloneStatusWithBadSignatureIs403AndDaemonIsNotCalled) {
  daemon_.service().SetCloneProgress(
      kCallId, Progress(internal::v1::CLONE_NEXT_ACTION_CONNECT, v1::CLONE_STATE_COMPLETED,
                        "voice-cloned-42", kAgentToken));
  const std::string form = RedirectForm();
  EXPECT_THAT(PostSigned(CloneStatusTarget("acme", 1), form, kGlobexToken), HasHttpStatus(403));
  EXPECT_THAT(Post(CloneStatusTarget("acme", 1), form, ""), HasHttpStatus(403));
  // A signature for another attempt's URL does not cover this one.
  auto params = http::ParseForm(form);
  ASSERT_THAT(params, IsOk());
  const std::string other = twilio::ComputeSignature(
      kAcmeToken, std::string(kPublicUrl) + CloneStatusTarget("acme", 2), *params);
  EXPECT_THAT(Post(CloneStatusTarget("acme", 1), form, other), HasHttpStatus(403));
  EXPECT_TRUE(daemon_.service().progress_requests().empty());
}

TEST_F(TwilioCloneFlowTest, CloneStatusNeedsCallIdAndPositiveAttempt) {
  EXPECT_THAT(PostSigned("/webhooks/twilio/acme/clone-status?attempt=1", RedirectForm()),
              HasHttpStatus(400));
  EXPECT_THAT(PostSigned("/webhooks/twilio/acme/clone-status?call_id=" + std::string(kCallId) +
                             "&attempt=zero",
                         RedirectForm()),
              HasHttpStatus(400));
  EXPECT_TRUE(daemon_.service().progress_requests().empty());
}

}  // namespace
}  // namespace callcontrol::webhook_adapter
