// provider-sim's Telnyx Call Control subset over real HTTP: dial/hangup/retrieve shapes, Bearer
// auth, Telnyx error JSON, command_id dedup, 90018 after the end, the 0108 hangup-500 scenario.
#include "tools/provider_sim/telnyx/telnyx_api.h"

#include <regex>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/tools/provider_sim/telnyx/telnyx_test_fixture.h"

namespace callcontrol::provider_sim::testing {
namespace {

const std::regex kUuidV4("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
const std::regex kCallControlId("v3:[A-Za-z0-9_-]{54}");

// Checks Telnyx's error shape and the first error's code.
void ExpectTelnyxError(const RestResult& r, long http_status, const std::string& code) {
  EXPECT_EQ(r.status, http_status) << r.body.dump();
  ASSERT_TRUE(r.body.is_object()) << r.body.dump();
  ASSERT_TRUE(r.body.contains("errors")) << r.body.dump();
  ASSERT_TRUE(r.body["errors"].is_array() && r.body["errors"].size() == 1) << r.body.dump();
  const nlohmann::json& error = r.body["errors"][0];
  ASSERT_TRUE(error["code"].is_string()) << r.body.dump();
  EXPECT_EQ(error["code"], code) << r.body.dump();
  EXPECT_FALSE(error.value("title", "").empty()) << r.body.dump();
}

size_t CountEvents(const CallbackReceiver& receiver, const std::string& event_type) {
  size_t n = 0;
  for (const TelnyxWebhook& w : TelnyxWebhooks(receiver)) n += w.event_type() == event_type;
  return n;
}

using TelnyxApiTest = TelnyxSimTest;

TEST_F(TelnyxApiTest, DialReturnsTelnyxIdsWithIsAliveFalse) {
  CallbackReceiver receiver;
  const RestResult r = Dial("+15558670104", receiver.Url("/webhooks/telnyx/acme"));
  ASSERT_EQ(r.status, 200) << r.body.dump();
  const nlohmann::json& data = r.body["data"];
  EXPECT_EQ(data.size(), 5u) << data.dump();
  EXPECT_TRUE(std::regex_match(data.value("call_control_id", ""), kCallControlId)) << data;
  EXPECT_TRUE(std::regex_match(data.value("call_leg_id", ""), kUuidV4)) << data;
  EXPECT_TRUE(std::regex_match(data.value("call_session_id", ""), kUuidV4)) << data;
  EXPECT_NE(data["call_leg_id"], data["call_session_id"]);
  EXPECT_EQ(data["is_alive"], false);
  EXPECT_EQ(data["record_type"], "call");
}

TEST_F(TelnyxApiTest, RejectsAMissingOrWrongBearerKeyWith10009) {
  CallbackReceiver receiver;
  const std::string body = nlohmann::json{
      {"connection_id", kConnectionId},
      {"to", "+15558670100"},
      {"from", kTelnyxFrom},
      {"webhook_url",
       receiver.Url("/t")}}.dump();
  for (const std::string& key : {std::string(""), std::string("KEYwrong")}) {
    SCOPED_TRACE("key=" + key);
    const RestResult r = TelnyxSend("POST", "/v2/calls", body, key);
    ExpectTelnyxError(r, 401, "10009");
    EXPECT_EQ(r.body["errors"][0]["title"], "Authentication failed");
    EXPECT_FALSE(r.body["errors"][0].value("detail", "").empty());
  }
  // HTTP Basic (Twilio's scheme) is not a Bearer key either.
  http::ClientRequest basic;
  basic.method = "GET";
  basic.url = BaseUrl() + "/v2/calls/v3:x";
  basic.basic_user = kAccountSid;
  basic.basic_password = kAuthToken;
  auto response = client_.Send(basic);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 401);
  EXPECT_EQ(Inspect("/sim/telnyx/calls")["calls"].size(), 0u);
}

TEST_F(TelnyxApiTest, ConfiguredKeysReplaceTheDefaultKey) {
  sim_.reset();
  SimServer::Options options;
  options.listen = "127.0.0.1:0";
  options.time_scale = 0.05;
  options.Provider<TelnyxSimProvider>().options().api_keys = {"KEYfirst", "KEYsecond"};
  auto sim = SimServer::Start(std::move(options));
  ASSERT_TRUE(sim.ok()) << sim.status();
  sim_ = *std::move(sim);
  ExpectTelnyxError(TelnyxSend("GET", "/v2/calls/v3:unknown"), 401, "10009");
  ExpectTelnyxError(TelnyxSend("GET", "/v2/calls/v3:unknown", "", "KEYsecond"), 404, "90015");
}

TEST_F(TelnyxApiTest, ValidatesTheDialBody) {
  CallbackReceiver receiver;
  const std::string url = receiver.Url("/t");
  ExpectTelnyxError(TelnyxSend("POST", "/v2/calls", "not json"), 400, "10015");
  RestResult r = TelnyxSend(
      "POST", "/v2/calls",
      nlohmann::json{{"connection_id", kConnectionId}, {"from", kTelnyxFrom}, {"webhook_url", url}}
          .dump());
  ExpectTelnyxError(r, 422, "10004");
  EXPECT_EQ(r.body["errors"][0]["source"]["pointer"], "/to");
  ExpectTelnyxError(Dial("5558670100", url), 422, "10016");
  ExpectTelnyxError(Dial("+15558670100", url, {{"connection_id", ""}}), 422, "10004");
  r = TelnyxSend(
      "POST", "/v2/calls",
      nlohmann::json{
          {"connection_id", kConnectionId}, {"to", "+15558670100"}, {"from", kTelnyxFrom}}
          .dump());
  ExpectTelnyxError(r, 422, "10004");
  EXPECT_EQ(r.body["errors"][0]["source"]["pointer"], "/webhook_url");
  ExpectTelnyxError(Dial("+15558670100", "ftp://x/y"), 422, "10003");
  ExpectTelnyxError(Dial("+15558670100", url, {{"client_state", "not base64!"}}), 422, "10015");
  ExpectTelnyxError(Dial("+15558670100", url, {{"timeout_secs", 2}}), 422, "10015");
  ExpectTelnyxError(TelnyxSend("GET", "/v2/calls"), 405, "10015");
  ExpectTelnyxError(TelnyxSend("GET", "/v2/recordings"), 404, "10005");
  EXPECT_EQ(Inspect("/sim/telnyx/calls")["calls"].size(), 0u);
}

TEST_F(TelnyxApiTest, RepeatedDialCommandIdReturnsTheSameCall) {
  CallbackReceiver receiver;
  const std::string url = receiver.Url("/t");
  const RestResult first = Dial("+15558670104", url, {{"command_id", "dial-1"}});
  const RestResult again = Dial("+15558670104", url, {{"command_id", "dial-1"}});
  ASSERT_EQ(first.status, 200) << first.body.dump();
  ASSERT_EQ(again.status, 200) << again.body.dump();
  EXPECT_EQ(again.body["data"]["call_control_id"], first.body["data"]["call_control_id"]);
  EXPECT_EQ(again.body["data"]["call_session_id"], first.body["data"]["call_session_id"]);
  const RestResult other = Dial("+15558670104", url, {{"command_id", "dial-2"}});
  ASSERT_EQ(other.status, 200);
  EXPECT_NE(other.body["data"]["call_control_id"], first.body["data"]["call_control_id"]);
  EXPECT_EQ(Inspect("/sim/telnyx/calls")["calls"].size(), 2u);
}

TEST_F(TelnyxApiTest, RetrieveShowsLivenessAndDuration) {
  CallbackReceiver receiver;
  const std::string id = DialId("+15558670100", receiver.Url("/t"));
  ASSERT_TRUE(WaitForState(id, "hangup"));
  const RestResult r = Retrieve(id);
  ASSERT_EQ(r.status, 200) << r.body.dump();
  const nlohmann::json& data = r.body["data"];
  EXPECT_EQ(data["call_control_id"], id);
  EXPECT_EQ(data["is_alive"], false);
  EXPECT_EQ(data["call_duration"], 3);  // answered +1.5, hangup +4.5 (simulated seconds)
  EXPECT_EQ(data["record_type"], "call");
  EXPECT_TRUE(data.contains("end_time"));
  EXPECT_TRUE(std::regex_match(data.value("call_leg_id", ""), kUuidV4));

  const std::string live = DialId("+15558670104", receiver.Url("/t"));
  ASSERT_TRUE(WaitForState(live, "answered"));
  const RestResult alive = Retrieve(live);
  EXPECT_EQ(alive.body["data"]["is_alive"], true);
  EXPECT_FALSE(alive.body["data"].contains("end_time"));
  ExpectTelnyxError(Retrieve("v3:doesnotexist"), 404, "90015");
}

TEST_F(TelnyxApiTest, HangupIsAppliedOncePerCommandId) {
  CallbackReceiver receiver;
  const std::string id = DialId("+15558670104", receiver.Url("/t"));
  ASSERT_TRUE(WaitForState(id, "answered"));
  for (int i = 0; i < 2; ++i) {
    const RestResult r = Hangup(id, {{"command_id", "hangup-1"}, {"client_state", "Ynll"}});
    EXPECT_EQ(r.status, 200) << r.body.dump();
    EXPECT_EQ(r.body, nlohmann::json::parse(R"({"data":{"result":"ok"}})"));
  }
  ASSERT_TRUE(WaitFor([&] { return CountEvents(receiver, "call.hangup") >= 1; },
                      std::chrono::seconds(5), "call.hangup"));
  const nlohmann::json call = InspectTelnyx(id);
  ASSERT_EQ(call["hangup_requests"].size(), 2u) << call.dump();
  EXPECT_EQ(call["hangup_requests"][0]["command_id"], "hangup-1");
  EXPECT_EQ(call["hangup_requests"][0]["effect"], "ended");
  EXPECT_EQ(call["hangup_requests"][1]["command_id"], "hangup-1");
  EXPECT_EQ(call["hangup_requests"][1]["http_status"], 200);
  EXPECT_EQ(call["hangup_requests"][1]["effect"], "duplicate command_id: ignored");
  size_t hangup_events = 0;
  for (const auto& e : call["events"]) hangup_events += e["event_type"] == "call.hangup";
  EXPECT_EQ(hangup_events, 1u);
  for (const TelnyxWebhook& w : TelnyxWebhooks(receiver)) {
    if (w.event_type() != "call.hangup") continue;
    EXPECT_EQ(w.payload()["hangup_cause"], "normal_clearing");
    EXPECT_EQ(w.payload()["hangup_source"], "caller");
    EXPECT_EQ(w.payload()["sip_hangup_cause"], "unspecified");
    EXPECT_EQ(w.payload()["client_state"], "Ynll");  // the hangup's client_state
  }
}

TEST_F(TelnyxApiTest, HangupOfAnEndedCallIs422With90018) {
  CallbackReceiver receiver;
  const std::string id = DialId("+15558670103", receiver.Url("/t"));
  ASSERT_TRUE(WaitForState(id, "hangup"));
  const RestResult r = Hangup(id, {{"command_id", "late"}});
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.body, nlohmann::json::parse(R"({"errors":[{"code":"90018",
      "title":"Call has already ended",
      "detail":"This call is no longer active and can't receive commands."}]})"));
  // Without a body and without a command_id too.
  ExpectTelnyxError(TelnyxSend("POST", "/v2/calls/" + id + "/actions/hangup"), 422, "90018");
  ExpectTelnyxError(Hangup("v3:doesnotexist"), 404, "90015");
  const nlohmann::json call = InspectTelnyx(id);
  ASSERT_EQ(call["hangup_requests"].size(), 2u);
  EXPECT_EQ(call["hangup_requests"][0]["http_status"], 422);
  EXPECT_EQ(call["hangup_requests"][0]["error_code"], "90018");
  EXPECT_TRUE(call["hangup_requests"][1]["command_id"].is_null());
}

TEST_F(TelnyxApiTest, FirstHangupOfScenario0108Is500ThenTheRetryWorks) {
  CallbackReceiver receiver;
  const std::string id = DialId("+15558670108", receiver.Url("/t"));
  ASSERT_TRUE(WaitForState(id, "answered"));
  const RestResult failed = Hangup(id, {{"command_id", "h-1"}});
  EXPECT_EQ(failed.status, 500);
  EXPECT_EQ(failed.body,
            nlohmann::json::parse(R"({"errors":[{"code":"10007","title":"Unexpected error"}]})"));
  EXPECT_EQ(Retrieve(id).body["data"]["is_alive"], true);  // no effect
  const RestResult retried = Hangup(id, {{"command_id", "h-1"}});
  EXPECT_EQ(retried.status, 200) << retried.body.dump();
  ASSERT_TRUE(WaitForState(id, "hangup"));
  const nlohmann::json call = InspectTelnyx(id);
  ASSERT_EQ(call["hangup_requests"].size(), 2u) << call.dump();
  EXPECT_EQ(call["hangup_requests"][0]["command_id"], "h-1");
  EXPECT_EQ(call["hangup_requests"][0]["http_status"], 500);
  EXPECT_EQ(call["hangup_requests"][0]["error_code"], "10007");
  EXPECT_EQ(call["hangup_requests"][1]["command_id"], "h-1");
  EXPECT_EQ(call["hangup_requests"][1]["http_status"], 200);
  EXPECT_EQ(call["hangup_cause"], "normal_clearing");
  EXPECT_EQ(call["scenario"], "hangup-500");
}

TEST_F(TelnyxApiTest, TimeoutSecsEndsAnUnansweredCallWithTimeout) {
  CallbackReceiver receiver;
  // 0106 would answer at 8 s; timeout_secs 5 ends it first.
  const std::string id = DialId("+15558670106", receiver.Url("/t"), {{"timeout_secs", 5}});
  ASSERT_TRUE(WaitForState(id, "hangup"));
  const nlohmann::json call = InspectTelnyx(id);
  EXPECT_EQ(call["hangup_cause"], "timeout");
  EXPECT_EQ(call["sip_hangup_cause"], "480");
  for (const auto& e : call["events"]) EXPECT_NE(e["event_type"], "call.answered");
}

TEST_F(TelnyxApiTest, TelnyxCallsAreInspectableThroughSimCallsToo) {
  CallbackReceiver receiver;
  const std::string id = DialId("+15558670104", receiver.Url("/t"));
  const nlohmann::json via_sim_calls = Inspect("/sim/calls/" + id);
  EXPECT_EQ(via_sim_calls.value("provider", ""), "telnyx");
  EXPECT_EQ(via_sim_calls.value("call_control_id", ""), id);
  const nlohmann::json list = Inspect("/sim/telnyx/calls");
  ASSERT_EQ(list["calls"].size(), 1u);
  EXPECT_EQ(list["calls"][0]["call_control_id"], id);
  EXPECT_EQ(list["calls"][0]["scenario"], "long-call");
  // The Twilio list is unchanged by Telnyx calls.
  EXPECT_EQ(Inspect("/sim/calls")["calls"].size(), 0u);
}

}  // namespace
}  // namespace callcontrol::provider_sim::testing
