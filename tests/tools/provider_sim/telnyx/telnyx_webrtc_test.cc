// provider-sim's WebRTC + PSTN pair: two legs of one call_session_id, their bridged timeline,
// and how each kind of hangup ends the PSTN leg (server hangup: normal_clearing; the WebRTC
// SDK's own hangup: user_busy, the busy tone this product removes).
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/tools/provider_sim/telnyx/telnyx_test_fixture.h"

namespace callcontrol::provider_sim::testing {
namespace {

using ::testing::ElementsAre;

constexpr char kPstnNumber[] = "+15558670100";

struct Pair {
  std::string webrtc;  // call_control_id of the WebRTC leg
  std::string pstn;
  nlohmann::json body;
};

class TelnyxWebRtcTest : public TelnyxSimTest {
 protected:
  // Starts the pair and waits until both legs are bridged (6 webhooks).
  Pair StartBridged(CallbackReceiver& receiver) {
    Pair pair;
    const RestResult r = SimPost("/sim/telnyx/webrtc_calls", {{"connection_id", kConnectionId},
                                                              {"to", kPstnNumber},
                                                              {"from", kTelnyxFrom},
                                                              {"webhook_url", receiver.Url("/t")},
                                                              {"sip_username", "alice"}});
    EXPECT_EQ(r.status, 200) << r.body.dump();
    pair.body = r.body;
    pair.webrtc = r.body["webrtc_leg"].value("call_control_id", "");
    pair.pstn = r.body["pstn_leg"].value("call_control_id", "");
    EXPECT_TRUE(receiver.WaitForCount(6));
    return pair;
  }

  // The call.hangup payload of `call_control_id`, waiting for it.
  nlohmann::json HangupOf(const CallbackReceiver& receiver, const std::string& call_control_id) {
    nlohmann::json found;
    EXPECT_TRUE(WaitFor(
        [&] {
          for (const TelnyxWebhook& w : TelnyxWebhooks(receiver)) {
            if (w.event_type() == "call.hangup" && w.call_control_id() == call_control_id) {
              found = w.payload();
              return true;
            }
          }
          return false;
        },
        std::chrono::seconds(5), "call.hangup of " + call_control_id));
    return found;
  }
};

TEST_F(TelnyxWebRtcTest, PairHasTwoLegsOfOneSessionAndBridges) {
  CallbackReceiver receiver;
  const Pair pair = StartBridged(receiver);
  const nlohmann::json& a = pair.body["webrtc_leg"];
  const nlohmann::json& b = pair.body["pstn_leg"];
  EXPECT_NE(a["call_control_id"], b["call_control_id"]);
  EXPECT_NE(a["call_leg_id"], b["call_leg_id"]);
  EXPECT_EQ(a["call_session_id"], b["call_session_id"]);

  const auto webhooks = TelnyxWebhooks(receiver);
  ASSERT_EQ(webhooks.size(), 6u);
  std::vector<std::string> timeline;
  for (const TelnyxWebhook& w : webhooks) {
    EXPECT_TRUE(Verified(w));
    EXPECT_EQ(w.payload()["call_session_id"], a["call_session_id"]);
    timeline.push_back(w.event_type() + (w.call_control_id() == pair.webrtc ? " A" : " B"));
  }
  EXPECT_THAT(timeline, ElementsAre("call.initiated A", "call.initiated B", "call.answered B",
                                    "call.answered A", "call.bridged A", "call.bridged B"));
  const nlohmann::json& a_initiated = webhooks[0].payload();
  EXPECT_EQ(a_initiated["direction"], "incoming");
  EXPECT_EQ(a_initiated["state"], "parked");
  EXPECT_EQ(a_initiated["from"], "sip:alice@sip.telnyx.com");
  EXPECT_EQ(a_initiated["to"], kPstnNumber);
  const nlohmann::json& b_initiated = webhooks[1].payload();
  EXPECT_EQ(b_initiated["direction"], "outgoing");
  EXPECT_EQ(b_initiated["state"], "bridging");
  EXPECT_EQ(b_initiated["from"], kTelnyxFrom);
  EXPECT_EQ(b_initiated["to"], kPstnNumber);

  const nlohmann::json a_view = InspectTelnyx(pair.webrtc);
  EXPECT_EQ(a_view["kind"], "webrtc");
  EXPECT_EQ(a_view["state"], "answered");
  EXPECT_THAT(a_view["bridged_with"], ElementsAre(pair.pstn));
  ASSERT_EQ(a_view["legs"].size(), 2u);
  EXPECT_EQ(a_view["legs"][1]["kind"], "pstn");
  EXPECT_EQ(Retrieve(pair.pstn).body["data"]["is_alive"], true);
}

TEST_F(TelnyxWebRtcTest, InspectionFindsALegByItsPercentEncodedId) {
  CallbackReceiver receiver;
  const Pair pair = StartBridged(receiver);
  ASSERT_EQ(pair.webrtc.rfind("v3:", 0), 0u) << pair.webrtc;
  const std::string escaped = "v3%3A" + pair.webrtc.substr(3);
  EXPECT_EQ(Inspect("/sim/telnyx/calls/" + escaped).value("call_control_id", ""), pair.webrtc);
  EXPECT_EQ(Inspect("/sim/calls/" + escaped).value("call_control_id", ""), pair.webrtc);
  EXPECT_TRUE(Inspect("/sim/telnyx/calls/v3%3Anope").contains("error"));
}

TEST_F(TelnyxWebRtcTest, ServerHangupOfTheWebRtcLegEndsThePstnLegWithNormalClearing) {
  CallbackReceiver receiver;
  const Pair pair = StartBridged(receiver);
  const RestResult r = Hangup(pair.webrtc, {{"command_id", "end-1"}});
  ASSERT_EQ(r.status, 200) << r.body.dump();
  const nlohmann::json a = HangupOf(receiver, pair.webrtc);
  const nlohmann::json b = HangupOf(receiver, pair.pstn);
  EXPECT_EQ(a["hangup_cause"], "normal_clearing");
  EXPECT_EQ(a["hangup_source"], "caller");
  EXPECT_EQ(b["hangup_cause"], "normal_clearing");
  EXPECT_NE(b["sip_hangup_cause"], "486");
  EXPECT_EQ(Retrieve(pair.pstn).body["data"]["is_alive"], false);
  // The PSTN leg is already down: hanging it up too is 90018.
  EXPECT_EQ(Hangup(pair.pstn).status, 422);
}

TEST_F(TelnyxWebRtcTest, ServerHangupOfThePstnLegEndsBothWithNormalClearing) {
  CallbackReceiver receiver;
  const Pair pair = StartBridged(receiver);
  ASSERT_EQ(Hangup(pair.pstn).status, 200);
  const nlohmann::json b = HangupOf(receiver, pair.pstn);
  const nlohmann::json a = HangupOf(receiver, pair.webrtc);
  EXPECT_EQ(b["hangup_cause"], "normal_clearing");
  EXPECT_EQ(b["hangup_source"], "callee");
  EXPECT_EQ(a["hangup_cause"], "normal_clearing");
  EXPECT_EQ(InspectTelnyx(pair.webrtc)["state"], "hangup");
}

TEST_F(TelnyxWebRtcTest, SdkHangupGivesThePstnLegUserBusy) {
  CallbackReceiver receiver;
  const Pair pair = StartBridged(receiver);
  const RestResult r =
      SimPost("/sim/telnyx/calls/" + pair.webrtc + "/sdk_hangup", nlohmann::json::object());
  ASSERT_EQ(r.status, 200) << r.body.dump();
  const nlohmann::json a = HangupOf(receiver, pair.webrtc);
  const nlohmann::json b = HangupOf(receiver, pair.pstn);
  EXPECT_EQ(a["hangup_cause"], "normal_clearing");
  EXPECT_EQ(a["hangup_source"], "caller");
  EXPECT_EQ(b["hangup_cause"], "user_busy");
  EXPECT_EQ(b["sip_hangup_cause"], "486");
  const nlohmann::json view = InspectTelnyx(pair.webrtc);
  ASSERT_EQ(view["hangup_requests"].size(), 1u);
  EXPECT_EQ(view["hangup_requests"][0]["via"], "sdk");
  // Again: the leg has ended. On the PSTN leg: not a WebRTC leg.
  EXPECT_EQ(
      SimPost("/sim/telnyx/calls/" + pair.webrtc + "/sdk_hangup", nlohmann::json::object()).status,
      409);
  EXPECT_EQ(
      SimPost("/sim/telnyx/calls/" + pair.pstn + "/sdk_hangup", nlohmann::json::object()).status,
      400);
  EXPECT_EQ(SimPost("/sim/telnyx/calls/v3:nope/sdk_hangup", nlohmann::json::object()).status, 404);
}

TEST_F(TelnyxWebRtcTest, ValidatesThePairRequest) {
  CallbackReceiver receiver;
  EXPECT_EQ(SimPost("/sim/telnyx/webrtc_calls", {{"connection_id", kConnectionId},
                                                 {"to", "555"},
                                                 {"from", kTelnyxFrom},
                                                 {"webhook_url", receiver.Url("/t")}})
                .status,
            400);
  EXPECT_EQ(
      SimPost("/sim/telnyx/webrtc_calls",
              {{"to", kPstnNumber}, {"from", kTelnyxFrom}, {"webhook_url", receiver.Url("/t")}})
          .status,
      400);
  EXPECT_EQ(Inspect("/sim/telnyx/calls")["calls"].size(), 0u);
}

}  // namespace
}  // namespace callcontrol::provider_sim::testing
