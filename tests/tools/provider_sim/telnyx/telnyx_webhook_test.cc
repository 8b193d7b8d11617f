// provider-sim's Telnyx webhooks as a real receiver sees them: the fixtures' shape, Ed25519
// signatures over the exact bytes, scenario timelines, duplicates and retries; plus the
// webhook builder and the signing-key files in-process.
#include "tools/provider_sim/telnyx/telnyx_webhook.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <regex>
#include <set>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/tools/provider_sim/telnyx/telnyx_test_fixture.h"
#include "tools/provider_sim/telnyx/telnyx_key_file.h"

namespace callcontrol::provider_sim::testing {
namespace {

using ::callcontrol::testing::IsOk;
using ::callcontrol::testing::StatusIs;
using ::testing::ElementsAre;

const std::regex kUuidV4("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
const std::regex kTelnyxTime("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{6}Z");

using TelnyxWebhookTest = TelnyxSimTest;

TEST_F(TelnyxWebhookTest, AnsweredTimelineIsSignedAndShapedLikeTelnyx) {
  CallbackReceiver receiver;
  const std::string url = receiver.Url("/webhooks/telnyx/acme?x=1");
  const RestResult dial = Dial("+15558670100", url, {{"client_state", kClientState}});
  ASSERT_EQ(dial.status, 200) << dial.body.dump();
  const nlohmann::json& ids = dial.body["data"];
  ASSERT_TRUE(receiver.WaitForCount(3));
  const auto webhooks = TelnyxWebhooks(receiver);
  ASSERT_EQ(webhooks.size(), 3u);
  EXPECT_THAT(EventTypes(webhooks), ElementsAre("call.initiated", "call.answered", "call.hangup"));
  std::set<std::string> event_ids;
  for (const TelnyxWebhook& w : webhooks) {
    SCOPED_TRACE(w.body);
    EXPECT_TRUE(Verified(w));
    EXPECT_EQ(w.content_type, "application/json");
    const nlohmann::json& data = w.json["data"];
    EXPECT_EQ(data["record_type"], "event");
    EXPECT_TRUE(std::regex_match(w.id(), kUuidV4));
    event_ids.insert(w.id());
    EXPECT_TRUE(std::regex_match(data.value("occurred_at", ""), kTelnyxTime));
    EXPECT_EQ(w.json["meta"]["attempt"], 1);
    EXPECT_EQ(w.json["meta"]["delivered_to"], url);
    const nlohmann::json& p = w.payload();
    EXPECT_EQ(p["call_control_id"], ids["call_control_id"]);
    EXPECT_EQ(p["call_leg_id"], ids["call_leg_id"]);
    EXPECT_EQ(p["call_session_id"], ids["call_session_id"]);
    EXPECT_EQ(p["connection_id"], kConnectionId);
    EXPECT_EQ(p["client_state"], kClientState);
    EXPECT_EQ(p["from"], kTelnyxFrom);
    EXPECT_EQ(p["to"], "+15558670100");
    EXPECT_TRUE(std::regex_match(p.value("start_time", ""), kTelnyxTime));
    EXPECT_FALSE(p.contains("end_time"));
    EXPECT_EQ(p.contains("direction"), w.event_type() == "call.initiated");
  }
  EXPECT_EQ(event_ids.size(), 3u);
  EXPECT_EQ(webhooks[0].payload()["direction"], "outgoing");
  EXPECT_EQ(webhooks[0].payload()["state"], "bridging");
  EXPECT_EQ(webhooks[1].payload()["state"], "answered");
  const nlohmann::json& hangup = webhooks[2].payload();
  EXPECT_EQ(hangup["state"], "hangup");
  EXPECT_EQ(hangup["hangup_cause"], "normal_clearing");
  EXPECT_EQ(hangup["hangup_source"], "callee");
  EXPECT_TRUE(hangup["sip_hangup_cause"].is_string());

  // The signature covers the exact bytes: another key, another body or another timestamp fail.
  const TelnyxWebhook& w = webhooks[0];
  const std::string other_key = telnyx::GenerateKeyPair().public_key_base64;
  EXPECT_FALSE(telnyx::VerifyWebhookSignature(other_key, w.timestamp, w.body, w.signature,
                                              absl::Now(), absl::Minutes(5))
                   .ok());
  EXPECT_FALSE(telnyx::VerifyWebhookSignature(TelnyxPublicKey(), w.timestamp, w.body + " ",
                                              w.signature, absl::Now(), absl::Minutes(5))
                   .ok());
  EXPECT_FALSE(telnyx::VerifyWebhookSignature(TelnyxPublicKey(),
                                              std::to_string(std::stoll(w.timestamp) + 1), w.body,
                                              w.signature, absl::Now(), absl::Minutes(5))
                   .ok());
}

TEST_F(TelnyxWebhookTest, NoClientStateIsNull) {
  CallbackReceiver receiver;
  DialId("+15558670103", receiver.Url("/t"));
  ASSERT_TRUE(receiver.WaitForCount(2));
  for (const TelnyxWebhook& w : TelnyxWebhooks(receiver)) {
    ASSERT_TRUE(w.payload().contains("client_state"));
    EXPECT_TRUE(w.payload()["client_state"].is_null());
  }
}

TEST_F(TelnyxWebhookTest, BusyAndFailedScenariosNeverAnswer) {
  struct Case {
    std::string to;
    std::string cause;
    std::string sip;
  };
  for (const Case& c :
       {Case{"+15558670101", "user_busy", "486"}, Case{"+15558670102", "timeout", "480"},
        Case{"+15558670103", "not_found", "404"}}) {
    SCOPED_TRACE(c.to);
    CallbackReceiver receiver;
    DialId(c.to, receiver.Url("/t"));
    ASSERT_TRUE(receiver.WaitForCount(2));
    const auto webhooks = TelnyxWebhooks(receiver);
    EXPECT_THAT(EventTypes(webhooks), ElementsAre("call.initiated", "call.hangup"));
    EXPECT_EQ(webhooks[1].payload()["hangup_cause"], c.cause);
    EXPECT_EQ(webhooks[1].payload()["sip_hangup_cause"], c.sip);
    EXPECT_TRUE(Verified(webhooks[1]));
  }
}

TEST_F(TelnyxWebhookTest, DuplicatesScenarioSendsEveryEventTwiceWithTheSameId) {
  CallbackReceiver receiver;
  const std::string id = DialId("+15558670105", receiver.Url("/t"));
  ASSERT_TRUE(receiver.WaitForCount(7));
  const auto webhooks = TelnyxWebhooks(receiver);
  ASSERT_EQ(webhooks.size(), 7u);
  EXPECT_THAT(EventTypes(webhooks),
              ElementsAre("call.initiated", "call.initiated", "call.answered", "call.answered",
                          "call.hangup", "call.hangup", "call.answered"));
  EXPECT_EQ(webhooks[0].id(), webhooks[1].id());
  EXPECT_EQ(webhooks[2].id(), webhooks[3].id());
  EXPECT_EQ(webhooks[4].id(), webhooks[5].id());
  EXPECT_EQ(webhooks[6].id(), webhooks[2].id());  // the late call.answered is the same event
  EXPECT_NE(webhooks[0].id(), webhooks[2].id());
  EXPECT_NE(webhooks[2].id(), webhooks[4].id());
  for (const TelnyxWebhook& w : webhooks) EXPECT_TRUE(Verified(w));
  const nlohmann::json call = InspectTelnyx(id);
  ASSERT_EQ(call["events"].size(), 3u);
  EXPECT_EQ(call["events"][0]["sends"], 2);
  EXPECT_EQ(call["events"][1]["sends"], 3);
  EXPECT_EQ(call["events"][2]["sends"], 2);
  EXPECT_EQ(call["scenario"], "duplicates");
}

TEST_F(TelnyxWebhookTest, RetryIsTheSameEventWithTheNextAttemptAndAFreshSignature) {
  CallbackReceiver receiver;
  receiver.FailNext({500, 503});
  // Slow answer: call.initiated (500, 503, 200) is long done when call.answered comes at 8 s.
  const std::string id = DialId("+15558670106", receiver.Url("/t"));
  ASSERT_TRUE(receiver.WaitForCount(3));
  std::vector<TelnyxWebhook> initiated;
  for (const TelnyxWebhook& w : TelnyxWebhooks(receiver)) {
    if (w.event_type() == "call.initiated") initiated.push_back(w);
  }
  ASSERT_EQ(initiated.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(initiated[i].id(), initiated[0].id());
    EXPECT_EQ(initiated[i].attempt(), i + 1);
    EXPECT_TRUE(Verified(initiated[i]));
  }
  EXPECT_NE(initiated[0].signature, initiated[1].signature);  // the body changed (meta.attempt)
  ASSERT_TRUE(WaitFor([&] { return InspectTelnyx(id)["webhooks"].size() >= 3; },
                      std::chrono::seconds(5), "3 reported attempts"));
  std::vector<nlohmann::json> attempts;
  const nlohmann::json call = InspectTelnyx(id);
  for (const auto& a : call["webhooks"]) {
    if (a["event_type"] == "call.initiated") attempts.push_back(a);
  }
  ASSERT_EQ(attempts.size(), 3u);
  EXPECT_EQ(attempts[0]["http_status"], 500);
  EXPECT_EQ(attempts[0]["attempt"], 1);
  EXPECT_EQ(attempts[1]["http_status"], 503);
  EXPECT_EQ(attempts[2]["http_status"], 200);
  EXPECT_EQ(attempts[2]["attempt"], 3);
  EXPECT_EQ(attempts[2]["id"], initiated[0].id());
}

TEST(TelnyxWebhookBuilderTest, SignsTheExactBodyWithMetaAttempt) {
  const telnyx::KeyPair key = telnyx::GenerateKeyPair();
  TelnyxEventFields fields;
  fields.event = TelnyxEvent::kHangup;
  fields.id = "0ccc7b54-4df3-4bca-a65a-3da1ecc777f0";
  fields.occurred_at = absl::FromUnixMicros(1517610327521992);
  fields.start_time = absl::FromUnixMicros(1517610027521992);
  fields.call_control_id = "v3:abc";
  fields.hangup_cause = "call_rejected";
  fields.hangup_source = "caller";
  fields.sip_hangup_cause = "603";
  const nlohmann::ordered_json data = TelnyxEventData(fields);
  EXPECT_EQ(data["occurred_at"], "2018-02-02T22:25:27.521992Z");
  EXPECT_EQ(data["event_type"], "call.hangup");
  EXPECT_TRUE(data["payload"]["client_state"].is_null());
  EXPECT_EQ(data["payload"]["hangup_cause"], "call_rejected");
  EXPECT_TRUE(data["payload"].contains("call_quality_stats"));
  EXPECT_FALSE(data["payload"].contains("end_time"));
  EXPECT_FALSE(data["payload"].contains("direction"));

  const absl::Time now = absl::FromUnixSeconds(1700000000);
  const WebhookRequest request =
      BuildTelnyxWebhookRequest(data, 1, "http://127.0.0.1:1/t", key.private_key_base64, now);
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.body, TelnyxWebhookBody(data, 1, "http://127.0.0.1:1/t"));
  const nlohmann::json body = nlohmann::json::parse(request.body);
  EXPECT_EQ(body["meta"]["attempt"], 2);
  EXPECT_EQ(body["meta"]["delivered_to"], "http://127.0.0.1:1/t");
  std::string timestamp, signature;
  for (const auto& [name, value] : request.headers) {
    if (name == telnyx::kTimestampHeader) timestamp = value;
    if (name == telnyx::kSignatureHeader) signature = value;
  }
  EXPECT_EQ(timestamp, "1700000000");
  EXPECT_THAT(telnyx::VerifyWebhookSignature(key.public_key_base64, timestamp, request.body,
                                             signature, now, absl::Minutes(5)),
              IsOk());
}

class TelnyxKeyFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/provider_sim_key_XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
  }
  void TearDown() override {
    std::remove((dir_ + "/key").c_str());
    std::remove((dir_ + "/pub").c_str());
    rmdir(dir_.c_str());
  }
  std::string dir_;
};

TEST_F(TelnyxKeyFileTest, CreatesThePrivateKeyWithMode0600AndLoadsItBack) {
  const std::string path = dir_ + "/key";
  auto created = LoadOrCreateTelnyxKeyFile(path);
  ASSERT_THAT(created.status(), IsOk());
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto loaded = LoadOrCreateTelnyxKeyFile(path);
  ASSERT_THAT(loaded.status(), IsOk());
  EXPECT_EQ(loaded->private_key_base64, created->private_key_base64);
  EXPECT_EQ(loaded->public_key_base64, created->public_key_base64);
  EXPECT_EQ(*telnyx::PublicKeyOf(created->private_key_base64), created->public_key_base64);

  ASSERT_THAT(WriteTelnyxPublicKeyFile(dir_ + "/pub", created->public_key_base64), IsOk());
  std::ifstream in(dir_ + "/pub");
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, created->public_key_base64);
}

TEST_F(TelnyxKeyFileTest, RejectsAFileThatIsNotASeed) {
  const std::string path = dir_ + "/key";
  std::ofstream(path) << "not a key\n";
  EXPECT_THAT(LoadOrCreateTelnyxKeyFile(path).status(),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(TelnyxSimServerTest, UsesTheGivenPrivateKeyAndRejectsABadOne) {
  const telnyx::KeyPair key = telnyx::GenerateKeyPair();
  auto start = [](const std::string& private_key_base64) {
    SimServer::Options options;
    options.listen = "127.0.0.1:0";
    options.Provider<TelnyxSimProvider>().options().private_key_base64 = private_key_base64;
    return SimServer::Start(std::move(options));
  };
  auto sim = start(key.private_key_base64);
  ASSERT_TRUE(sim.ok()) << sim.status();
  EXPECT_EQ((*sim)->provider<TelnyxSimProvider>()->public_key(), key.public_key_base64);
  EXPECT_THAT(start("c2hvcnQ=").status(), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace callcontrol::provider_sim::testing
