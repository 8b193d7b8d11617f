// provider-sim's Bolna side over real HTTP: executions started through /sim/bolna/executions
// send the observed webhook sequence (ringing, in-progress, call-disconnected, completed) in the
// Get Execution shape, the unanswered scenarios end with their own status, 0125 bills 125 s,
// and the spelling control sends one webhook with any status word.
#include <regex>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/fixtures.h"
#include "tests/tools/provider_sim/exotel_bolna_test_fixture.h"
#include "tools/provider_sim/bolna/bolna_webhook.h"

namespace callcontrol::provider_sim::testing {
namespace {

using ::callcontrol::testing::ReadFixture;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;

const std::regex kUuidV4("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
const std::regex kRfc3339("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z");

std::vector<nlohmann::ordered_json> Bodies(const CallbackReceiver& receiver) {
  std::vector<nlohmann::ordered_json> out;
  for (const ReceivedCallback& r : receiver.Received()) {
    out.push_back(nlohmann::ordered_json::parse(r.body, nullptr, false));
  }
  return out;
}

std::vector<std::string> Statuses(const std::vector<nlohmann::ordered_json>& bodies) {
  std::vector<std::string> out;
  for (const auto& b : bodies) out.push_back(b.value("status", ""));
  return out;
}

// The fixture's keys plus conversation_duration (real payloads' name) after conversation_time.
std::vector<std::string> ExpectedKeys() {
  const nlohmann::ordered_json fixture =
      nlohmann::ordered_json::parse(ReadFixture("bolna_execution.json"), nullptr, false);
  std::vector<std::string> keys;
  for (const std::string& key : Keys(fixture)) {
    keys.push_back(key);
    if (key == "conversation_time") keys.push_back("conversation_duration");
  }
  return keys;
}

using BolnaTest = ExotelBolnaSimTest;

TEST_F(BolnaTest, AnsweredExecutionSendsTheObservedSequence) {
  CallbackReceiver receiver;
  const std::string url = receiver.Url("/webhooks/bolna/acme?token=s3cret");
  const std::string id =
      StartExecution("+919876540100", url, {{"agent_id", "11111111-2222-4333-8444-555555555555"}});
  ASSERT_TRUE(std::regex_match(id, kUuidV4)) << id;
  ASSERT_TRUE(receiver.WaitForCount(4));
  const auto received = receiver.Received();
  for (const ReceivedCallback& r : received) {
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.target, "/webhooks/bolna/acme?token=s3cret");
    EXPECT_EQ(r.Header("content-type"), "application/json");
  }
  const auto bodies = Bodies(receiver);
  ASSERT_THAT(Statuses(bodies),
              ElementsAre("ringing", "in-progress", "call-disconnected", "completed"));
  const nlohmann::ordered_json fixture =
      nlohmann::ordered_json::parse(ReadFixture("bolna_execution.json"), nullptr, false);
  for (const auto& b : bodies) {
    SCOPED_TRACE(b.dump());
    EXPECT_THAT(Keys(b), ElementsAreArray(ExpectedKeys()));
    EXPECT_THAT(Keys(b["telephony_data"]), ElementsAreArray(Keys(fixture["telephony_data"])));
    EXPECT_THAT(Keys(b["cost_breakdown"]), ElementsAreArray(Keys(fixture["cost_breakdown"])));
    EXPECT_EQ(b["id"], id);
    EXPECT_EQ(b["agent_id"], "11111111-2222-4333-8444-555555555555");
    EXPECT_TRUE(b["batch_id"].is_null());
    EXPECT_TRUE(b["transfer_call_data"].is_null());
    EXPECT_EQ(b["answered_by_voice_mail"], false);
    EXPECT_TRUE(b["error_message"].is_null());
    EXPECT_TRUE(std::regex_match(b.value("created_at", ""), kRfc3339));
    EXPECT_TRUE(std::regex_match(b.value("updated_at", ""), kRfc3339));
    const auto& t = b["telephony_data"];
    EXPECT_EQ(t["to_number"], "+919876540100");
    EXPECT_EQ(t["from_number"], "+918035735900");
    EXPECT_EQ(t["hosted_telephony"], true);
    EXPECT_EQ(t["call_type"], "outbound");
    EXPECT_EQ(t["provider"], "twilio");
    EXPECT_TRUE(std::regex_match(t.value("provider_call_id", ""), std::regex("CA[0-9a-f]{32}")));
    EXPECT_EQ(t["provider_call_id"], bodies[0]["telephony_data"]["provider_call_id"]);
  }
  for (int i : {0, 1}) {
    EXPECT_TRUE(bodies[i]["conversation_duration"].is_null());
    EXPECT_TRUE(bodies[i]["transcript"].is_null());
    EXPECT_TRUE(bodies[i]["telephony_data"]["recording_url"].is_null());
    EXPECT_EQ(bodies[i]["total_cost"], 0);
  }
  const auto& disconnected = bodies[2];
  EXPECT_TRUE(disconnected["conversation_duration"].is_number_float());
  EXPECT_EQ(disconnected["conversation_duration"], 3.0);
  EXPECT_EQ(disconnected["conversation_time"], 3.0);
  EXPECT_FALSE(disconnected.value("transcript", "").empty());
  EXPECT_EQ(disconnected["telephony_data"]["recording_url"], "");
  EXPECT_TRUE(disconnected["telephony_data"]["duration"].is_null());
  EXPECT_EQ(disconnected["telephony_data"]["hangup_by"], "Callee");
  const auto& completed = bodies[3];
  EXPECT_EQ(completed["conversation_duration"], 3.0);
  EXPECT_EQ(completed["transcript"], disconnected["transcript"]);
  const std::string recording = completed["telephony_data"].value("recording_url", "");
  EXPECT_TRUE(recording.rfind("https://bolna-call-recordings.s3.us-east-1.amazonaws.com/", 0) == 0)
      << recording;
  EXPECT_EQ(completed["telephony_data"]["duration"], "3");  // a string, as observed
  EXPECT_EQ(completed["telephony_data"]["hangup_reason"], "Call recipient hungup");
  EXPECT_EQ(completed["telephony_data"]["hangup_provider_code"], 4000);
  EXPECT_DOUBLE_EQ(completed.value("total_cost", 0.0), 0.34);
  double sum = 0;
  for (const auto& [name, cents] : completed["cost_breakdown"].items()) sum += cents.get<double>();
  EXPECT_NEAR(sum, 0.34, 1e-9);

  // Inspection: the request, what was sent, the receiver's answers.
  ASSERT_TRUE(
      WaitFor([&] { return Inspect("/sim/bolna/executions/" + id)["deliveries"].size() == 4; },
              std::chrono::seconds(5), "4 deliveries recorded"));
  const nlohmann::json view = Inspect("/sim/bolna/executions/" + id);
  EXPECT_EQ(view["provider"], "bolna");
  EXPECT_EQ(view["status"], "completed");
  EXPECT_EQ(view["ended"], true);
  EXPECT_EQ(view["webhook_url"], url);
  EXPECT_EQ(view["execution"]["status"], "completed");
  ASSERT_EQ(view["sent"].size(), 4u);
  EXPECT_EQ(view["sent"][3]["body"], received[3].body);
  for (const nlohmann::json& d : view["deliveries"]) EXPECT_EQ(d["http_status"], 200);
  EXPECT_EQ(Inspect("/sim/bolna/executions")["executions"].back()["execution_id"], id);
}

TEST_F(BolnaTest, UnansweredScenariosEndWithTheirStatus) {
  struct Case {
    std::string to;
    std::vector<std::string> statuses;
    std::string hangup_by;
    int code;
    bool error_message;
  };
  const std::vector<Case> cases = {
      {"+919876540101", {"ringing", "busy"}, "Carrier", 3010, false},
      {"+919876540102", {"ringing", "no-answer"}, "Carrier", 3020, false},
      {"+919876540103", {"error"}, "Error", 5010, true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.to);
    CallbackReceiver receiver;
    StartExecution(c.to, receiver.Url("/b"));
    ASSERT_TRUE(receiver.WaitForCount(c.statuses.size()));
    const auto bodies = Bodies(receiver);
    EXPECT_THAT(Statuses(bodies), ElementsAreArray(c.statuses));
    const auto& last = bodies.back();
    EXPECT_EQ(last["conversation_duration"], 0.0);
    EXPECT_TRUE(last["transcript"].is_null());
    EXPECT_TRUE(last["telephony_data"]["recording_url"].is_null());
    EXPECT_EQ(last["telephony_data"]["duration"], "0");
    EXPECT_EQ(last["telephony_data"]["hangup_by"], c.hangup_by);
    EXPECT_EQ(last["telephony_data"]["hangup_provider_code"], c.code);
    EXPECT_EQ(last["total_cost"], 0);
    EXPECT_EQ(last["error_message"].is_string(), c.error_message);
  }
}

TEST_F(BolnaTest, Talk125BillsItsDuration) {
  StartExotelSim(0.005);  // completed at 127.5 scenario seconds, ~0.64 s
  CallbackReceiver receiver;
  StartExecution("+919876540125", receiver.Url("/b"));
  ASSERT_TRUE(receiver.WaitForCount(4, std::chrono::seconds(10)));
  const auto completed = Bodies(receiver)[3];
  EXPECT_EQ(completed["status"], "completed");
  EXPECT_EQ(completed["conversation_duration"], 125.0);
  EXPECT_EQ(completed["telephony_data"]["duration"], "125");
  EXPECT_DOUBLE_EQ(completed.value("total_cost", 0.0), 14.17);
}

TEST_F(BolnaTest, ScenarioCanBeChosenByName) {
  CallbackReceiver receiver;
  StartExecution("+919876549999", receiver.Url("/b"), {{"scenario", "busy"}});
  ASSERT_TRUE(receiver.WaitForCount(2));
  EXPECT_THAT(Statuses(Bodies(receiver)), ElementsAre("ringing", "busy"));
}

TEST_F(BolnaTest, InvalidStartsGet400) {
  const std::string url = "http://127.0.0.1:1/b";
  EXPECT_EQ(
      PostJson("/sim/bolna/executions", {{"from", "+918035735900"}, {"webhook_url", url}}).status,
      400);
  EXPECT_EQ(
      PostJson("/sim/bolna/executions", {{"to", "+919876540100"}, {"webhook_url", url}}).status,
      400);
  EXPECT_EQ(PostJson("/sim/bolna/executions",
                     {{"to", "+919876540100"}, {"from", "+918035735900"}, {"webhook_url", "x"}})
                .status,
            400);
  EXPECT_EQ(PostJson("/sim/bolna/executions", {{"to", "+919876540100"},
                                               {"from", "+918035735900"},
                                               {"webhook_url", url},
                                               {"scenario", "nope"}})
                .status,
            400);
  EXPECT_EQ(Inspect("/sim/bolna/executions/nope").value("error", "").empty(), false);
}

TEST_F(BolnaTest, SpellingControlSendsOneWebhookWithTheGivenWord) {
  CallbackReceiver receiver;
  const std::vector<std::string> words = {
      "answered",  "in-progress", "in_progress", "ongoing",   "ended",    "finished",
      "completed", "busy",        "no-answer",   "no_answer", "failed",   "error",
      "ringing",   "initiated",   "queued",      "cancelled", "canceled", "call-disconnected"};
  for (size_t i = 0; i < words.size(); ++i) {
    SCOPED_TRACE(words[i]);
    const RestResult r =
        PostJson("/sim/bolna/webhooks", {{"webhook_url", receiver.Url("/b?w=" + std::to_string(i))},
                                         {"execution_id", "4c06b4d1-4096-4561-919a-4f94539c8d4a"},
                                         {"status", words[i]},
                                         {"duration", 27.2},
                                         {"total_cost", 12.5},
                                         {"recording_url", "https://example.com/r.mp3"}});
    ASSERT_EQ(r.status, 200) << r.body.dump();
    EXPECT_EQ(r.body["http_status"], 200);
    ASSERT_EQ(receiver.Count(), i + 1);
    const ReceivedCallback got = receiver.Received()[i];
    EXPECT_EQ(got.target, "/b?w=" + std::to_string(i));
    EXPECT_EQ(got.Header("content-type"), "application/json");
    EXPECT_EQ(got.body, r.body["body"]);
    const nlohmann::ordered_json body = nlohmann::ordered_json::parse(got.body);
    EXPECT_THAT(Keys(body), ElementsAreArray(ExpectedKeys()));
    EXPECT_EQ(body["status"], words[i]);
    EXPECT_EQ(body["id"], "4c06b4d1-4096-4561-919a-4f94539c8d4a");
    EXPECT_EQ(body["conversation_duration"], 27.2);
    EXPECT_EQ(body["telephony_data"]["duration"], "28");
    EXPECT_EQ(body["total_cost"], 12.5);
    EXPECT_EQ(body["telephony_data"]["recording_url"], "https://example.com/r.mp3");
  }

  receiver.FailNext({500});
  const RestResult failed = PostJson(
      "/sim/bolna/webhooks", {{"webhook_url", receiver.Url("/b")}, {"status", "completed"}});
  EXPECT_EQ(failed.body["http_status"], 500) << failed.body.dump();
  EXPECT_TRUE(std::regex_match(failed.body.value("execution_id", ""), kUuidV4));

  // For a simulated execution its fields are used and the send is recorded.
  CallbackReceiver own;
  const std::string id = StartExecution("+919876540104", own.Url("/b"));
  ASSERT_TRUE(own.WaitForCount(2));  // ringing, in-progress (then it talks 3600 s)
  const size_t count = receiver.Count();
  const RestResult r =
      PostJson("/sim/bolna/webhooks",
               {{"webhook_url", receiver.Url("/b")}, {"execution_id", id}, {"status", "ongoing"}});
  EXPECT_EQ(r.body["http_status"], 200);
  ASSERT_EQ(receiver.Count(), count + 1);
  const nlohmann::json body = nlohmann::json::parse(receiver.Received().back().body);
  EXPECT_EQ(body["id"], id);
  EXPECT_EQ(body["status"], "ongoing");
  EXPECT_EQ(body["telephony_data"]["to_number"], "+919876540104");
  const nlohmann::json view = Inspect("/sim/bolna/executions/" + id);
  ASSERT_EQ(view["sent"].size(), 3u);
  EXPECT_EQ(view["sent"][2]["control"], true);
  EXPECT_EQ(view["sent"][2]["status"], "ongoing");
  EXPECT_EQ(view["status"], "in-progress");  // the control does not change the execution

  EXPECT_EQ(PostJson("/sim/bolna/webhooks", {{"status", "x"}}).status, 400);
  EXPECT_EQ(PostJson("/sim/bolna/webhooks", {{"webhook_url", receiver.Url("/b")}}).status, 400);
}

TEST(BolnaFormatTest, CostBreakdown) {
  const BolnaCost cost = BolnaCostFor(125);
  EXPECT_DOUBLE_EQ(cost.platform, 4.17);
  EXPECT_DOUBLE_EQ(cost.network, 2.5);
  EXPECT_DOUBLE_EQ(cost.llm, 2.5);
  EXPECT_DOUBLE_EQ(cost.synthesizer, 3.75);
  EXPECT_DOUBLE_EQ(cost.transcriber, 1.25);
  EXPECT_DOUBLE_EQ(cost.total, 14.17);
  EXPECT_DOUBLE_EQ(BolnaCostFor(0).total, 0);
  EXPECT_EQ(FormatBolnaTime(absl::FromUnixSeconds(1705972477)), "2024-01-23T01:14:37Z");
}

}  // namespace
}  // namespace callcontrol::provider_sim::testing
