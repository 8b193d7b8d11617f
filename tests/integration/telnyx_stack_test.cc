// Telnyx Call Control end to end: provider-sim's Telnyx subset (dial, hangup with command_id,
// Ed25519-signed webhooks), webhook-adapter and callcontrold as real processes, driven through
// the public API with tenant globex's key.
#include "providers/telnyx/telnyx_signature.h"
#include "tests/integration/stack_fixture.h"

namespace callcontrol::testing {
namespace {

class TelnyxStackTest : public StackTest {
 protected:
  grpc::Status StartTelnyxCall(const std::string& to, v1::Call* call) {
    return StartCall(to, call, "", kGlobexKey);
  }
  v1::Call GetGlobexCall(const std::string& id) { return GetCall(id, kGlobexKey); }

  json SimTelnyxCall(const std::string& call_control_id) {
    return SimGet("/sim/telnyx/calls/" + call_control_id);
  }

  // POSTs `body` to the adapter's Telnyx route of globex with the given signature headers
  // ("" leaves a header out); returns the HTTP status.
  long PostTelnyxWebhook(const std::string& body, const std::string& timestamp,
                         const std::string& signature) {
    http::ClientRequest r;
    r.method = "POST";
    r.url =
        "http://127.0.0.1:" + std::to_string(adapter_port_) + "/webhooks/telnyx/" + kTelnyxTenant;
    r.body = body;
    r.headers = {{"Content-Type", "application/json"}};
    if (!timestamp.empty()) r.headers.emplace_back("telnyx-timestamp", timestamp);
    if (!signature.empty()) r.headers.emplace_back("telnyx-signature-ed25519", signature);
    http::HttpClient client;
    auto response = client.Send(r);
    return response.ok() ? response->status : -1;
  }

  // Signs `body` as Telnyx would, with `private_key` and a timestamp `age` in the past, and
  // POSTs it.
  long PostSigned(const std::string& body, const std::string& private_key,
                  absl::Duration age = absl::ZeroDuration()) {
    const std::string timestamp = std::to_string(absl::ToUnixSeconds(absl::Now() - age));
    auto signature = telnyx::SignWebhook(private_key, timestamp, body);
    EXPECT_TRUE(signature.ok());
    return PostTelnyxWebhook(body, timestamp, signature.ok() ? *signature : "");
  }

  // A call.hangup webhook for `call` in Telnyx's shape.
  static std::string HangupBody(const v1::Call& call, const std::string& event_id,
                                const std::string& cause) {
    const v1::ProviderIds& ids = call.provider_ids();
    return json{{"data",
                 {{"record_type", "event"},
                  {"event_type", "call.hangup"},
                  {"id", event_id},
                  {"occurred_at", "2026-11-23T10:00:00.000000Z"},
                  {"payload",
                   {{"call_control_id", ids.call_control_id()},
                    {"call_leg_id", ids.call_leg_id()},
                    {"call_session_id", ids.call_session_id()},
                    {"connection_id", kTelnyxConnection},
                    {"from", call.from()},
                    {"to", call.to()},
                    {"state", "hangup"},
                    {"hangup_cause", cause},
                    {"hangup_source", "callee"},
                    {"sip_hangup_cause", "unspecified"}}}}},
                {"meta", {{"attempt", 1}, {"delivered_to", "test"}}}}
        .dump();
  }
};

TEST_F(TelnyxStackTest, ACallHungUpByItsLegIdEndsCompletedWithNormalClearing) {
  EventCollector events(stub_.get(), 0, kGlobexKey);
  v1::Call call;
  ASSERT_TRUE(StartTelnyxCall("+13125550104", &call).ok());  // long call
  EXPECT_EQ(call.provider(), v1::PROVIDER_TELNYX);
  ASSERT_FALSE(call.provider_ids().call_control_id().empty());
  ASSERT_FALSE(call.provider_ids().call_leg_id().empty());
  ASSERT_TRUE(events.WaitFor(CallReaches(call.call_id(), v1::CALL_STATUS_IN_PROGRESS)));

  v1::Call hung;
  ASSERT_TRUE(Hangup(call.provider_ids().call_leg_id(), &hung, kGlobexKey).ok());
  ASSERT_TRUE(events.WaitFor(CallReaches(call.call_id(), v1::CALL_STATUS_COMPLETED)));
  const v1::Call done = GetGlobexCall(call.provider_ids().call_control_id());
  EXPECT_EQ(done.call_id(), call.call_id());
  EXPECT_EQ(done.status(), v1::CALL_STATUS_COMPLETED);
  EXPECT_EQ(done.hangup().cause(), "normal_clearing");
  EXPECT_TRUE(done.has_answer_time());
  EXPECT_TRUE(done.has_end_time());

  const json sim = SimTelnyxCall(call.provider_ids().call_control_id());
  ASSERT_EQ(sim["hangup_requests"].size(), 1u) << sim.dump();
  EXPECT_EQ(sim["hangup_requests"][0]["command_id"], "hangup-" + call.call_id());
  EXPECT_EQ(sim["hangup_cause"], "normal_clearing");

  // Hanging up again is idempotent and sends nothing more.
  v1::Call again;
  ASSERT_TRUE(Hangup(call.call_id(), &again, kGlobexKey).ok());
  EXPECT_EQ(again.status(), v1::CALL_STATUS_COMPLETED);
  EXPECT_EQ(SimTelnyxCall(call.provider_ids().call_control_id())["hangup_requests"].size(), 1u);
}

TEST_F(TelnyxStackTest, HangingUpTheWebRtcLegEndsThePstnLegWithNormalClearing) {
  EventCollector events(stub_.get(), 0, kGlobexKey);
  http::ClientRequest r;
  r.method = "POST";
  r.url = "http://127.0.0.1:" + std::to_string(sim_port_) + "/sim/telnyx/webrtc_calls";
  r.headers = {{"Content-Type", "application/json"}};
  r.body = json{{"connection_id", kTelnyxConnection},
                {"to", "+13125550104"},
                {"from", "+13125550100"},
                {"webhook_url", "http://127.0.0.1:" + std::to_string(adapter_port_) +
                                    "/webhooks/telnyx/" + kTelnyxTenant}}
               .dump();
  http::HttpClient client;
  auto created = client.Send(r);
  ASSERT_TRUE(created.ok());
  ASSERT_EQ(created->status, 200) << created->body;
  const json pair = json::parse(created->body);
  const std::string webrtc_leg = pair["webrtc_leg"]["call_leg_id"];
  const std::string pstn_ccid = pair["pstn_leg"]["call_control_id"];

  // Both legs become calls of globex, linked through their shared call_session_id.
  auto pstn_answered = events.WaitFor([&](const v1::Event& e) {
    return e.call().provider_ids().call_control_id() == pstn_ccid &&
           e.call().status() == v1::CALL_STATUS_IN_PROGRESS && e.call().linked_call_ids_size() == 1;
  });
  ASSERT_TRUE(pstn_answered);
  const std::string pstn_call_id = pstn_answered->call().call_id();
  const v1::Call webrtc = GetGlobexCall(webrtc_leg);
  EXPECT_THAT(webrtc.linked_call_ids(), ::testing::ElementsAre(pstn_call_id));
  EXPECT_EQ(webrtc.provider_ids().call_session_id(),
            pstn_answered->call().provider_ids().call_session_id());

  v1::Call hung;
  ASSERT_TRUE(Hangup(webrtc_leg, &hung, kGlobexKey).ok());  // the WebRTC leg's id
  ASSERT_TRUE(events.WaitFor(CallReaches(pstn_call_id, v1::CALL_STATUS_COMPLETED)));
  const v1::Call pstn = GetGlobexCall(pstn_ccid);
  EXPECT_EQ(pstn.hangup().cause(), "normal_clearing");
  ASSERT_TRUE(events.WaitFor(CallReaches(webrtc.call_id(), v1::CALL_STATUS_COMPLETED)));
  for (const auto& e : events.events()) {
    EXPECT_NE(e.call().hangup().cause(), "user_busy") << e.DebugString();
  }
  const json sim = SimTelnyxCall(pstn_ccid);
  EXPECT_EQ(sim["hangup_cause"], "normal_clearing");
  ASSERT_GE(sim["hangup_requests"].size(), 1u) << sim.dump();
  EXPECT_EQ(sim["hangup_requests"][0]["via"], "api");
}

TEST_F(TelnyxStackTest, ABadSignatureOrStaleTimestampIsRefusedAndChangesNothing) {
  EventCollector events(stub_.get(), 0, kGlobexKey);
  v1::Call call;
  ASSERT_TRUE(StartTelnyxCall("+13125550104", &call).ok());
  ASSERT_TRUE(events.WaitFor(CallReaches(call.call_id(), v1::CALL_STATUS_IN_PROGRESS)));
  const v1::Call before = GetGlobexCall(call.call_id());
  const size_t events_before = events.events().size();
  const std::string forged = HangupBody(call, "forged-1", "normal_clearing");

  EXPECT_EQ(PostTelnyxWebhook(forged, "", ""), 403);
  EXPECT_EQ(PostSigned(forged, telnyx::GenerateKeyPair().private_key_base64), 403);
  EXPECT_EQ(PostSigned(forged, telnyx_private_key_, absl::Minutes(6)), 403);  // replayed late
  const std::string timestamp = std::to_string(absl::ToUnixSeconds(absl::Now()));
  auto signature = telnyx::SignWebhook(telnyx_private_key_, timestamp, forged);
  ASSERT_TRUE(signature.ok());
  EXPECT_EQ(PostTelnyxWebhook(forged + " ", timestamp, *signature), 403);  // body changed

  const v1::Call after = GetGlobexCall(call.call_id());
  EXPECT_EQ(after.status(), v1::CALL_STATUS_IN_PROGRESS);
  EXPECT_EQ(after.version(), before.version());
  EXPECT_EQ(events.events().size(), events_before);

  // The same body, signed with the account's key now, is accepted.
  EXPECT_EQ(PostTelnyxWebhook(forged, timestamp, *signature), 200);
  EXPECT_EQ(GetGlobexCall(call.call_id()).status(), v1::CALL_STATUS_COMPLETED);
}

TEST_F(TelnyxStackTest, AReplayedEventIdIsAppliedOnce) {
  EventCollector events(stub_.get(), 0, kGlobexKey);
  v1::Call call;
  ASSERT_TRUE(StartTelnyxCall("+13125550104", &call).ok());
  ASSERT_TRUE(events.WaitFor(CallReaches(call.call_id(), v1::CALL_STATUS_IN_PROGRESS)));
  // The data.id of the call.answered webhook the simulator delivered.
  std::string answered_id;
  const json sim = SimTelnyxCall(call.provider_ids().call_control_id());
  for (const auto& w : sim["events"]) {
    if (w["event_type"] == "call.answered") answered_id = w["id"];
  }
  ASSERT_FALSE(answered_id.empty()) << sim.dump();
  const int64_t version = GetGlobexCall(call.call_id()).version();

  // A delivery that reuses an applied data.id is acknowledged and changes nothing.
  EXPECT_EQ(PostSigned(HangupBody(call, answered_id, "normal_clearing"), telnyx_private_key_), 200);
  EXPECT_EQ(GetGlobexCall(call.call_id()).status(), v1::CALL_STATUS_IN_PROGRESS);
  EXPECT_EQ(GetGlobexCall(call.call_id()).version(), version);
  // A new id is applied; its redelivery is not.
  const std::string body = HangupBody(call, "hangup-event-1", "normal_clearing");
  EXPECT_EQ(PostSigned(body, telnyx_private_key_), 200);
  const v1::Call ended = GetGlobexCall(call.call_id());
  EXPECT_EQ(ended.status(), v1::CALL_STATUS_COMPLETED);
  EXPECT_EQ(PostSigned(body, telnyx_private_key_), 200);
  EXPECT_EQ(GetGlobexCall(call.call_id()).version(), ended.version());
}

TEST_F(TelnyxStackTest, DuplicatedWebhooksMoveTheCallOnce) {
  EventCollector events(stub_.get(), 0, kGlobexKey);
  v1::Call call;
  ASSERT_TRUE(StartTelnyxCall("+13125550105", &call).ok());  // every webhook twice
  ASSERT_TRUE(events.WaitFor(CallReaches(call.call_id(), v1::CALL_STATUS_COMPLETED)));
  int completed = 0;
  int answered = 0;
  v1::CallStatus last = v1::CALL_STATUS_UNSPECIFIED;
  for (const auto& e : events.events()) {
    if (e.call().call_id() != call.call_id()) continue;
    if (e.call().status() != last) {
      completed += e.call().status() == v1::CALL_STATUS_COMPLETED;
      answered += e.call().status() == v1::CALL_STATUS_IN_PROGRESS;
      last = e.call().status();
    }
  }
  EXPECT_EQ(answered, 1);
  EXPECT_EQ(completed, 1);
  EXPECT_EQ(GetGlobexCall(call.call_id()).hangup().cause(), "normal_clearing");
}

TEST_F(TelnyxStackTest, AHangupRetriedAfterA500ReachesTelnyxWithOneCommandId) {
  EventCollector events(stub_.get(), 0, kGlobexKey);
  v1::Call call;
  ASSERT_TRUE(StartTelnyxCall("+13125550108", &call).ok());  // first hangup answers 500
  ASSERT_TRUE(events.WaitFor(CallReaches(call.call_id(), v1::CALL_STATUS_IN_PROGRESS)));
  v1::Call hung;
  ASSERT_TRUE(Hangup(call.call_id(), &hung, kGlobexKey).ok());
  ASSERT_TRUE(events.WaitFor(CallReaches(call.call_id(), v1::CALL_STATUS_COMPLETED)));
  const json sim = SimTelnyxCall(call.provider_ids().call_control_id());
  ASSERT_EQ(sim["hangup_requests"].size(), 2u) << sim.dump();
  EXPECT_EQ(sim["hangup_requests"][0]["http_status"], 500);
  EXPECT_EQ(sim["hangup_requests"][1]["http_status"], 200);
  EXPECT_EQ(sim["hangup_requests"][0]["command_id"], sim["hangup_requests"][1]["command_id"]);
  EXPECT_EQ(sim["hangup_cause"], "normal_clearing");
}

TEST_F(TelnyxStackTest, TwimlForATelnyxTenantIsInvalidArgument) {
  grpc::ClientContext ctx;
  Authorize(&ctx, kGlobexKey);
  v1::StartCallRequest request;
  request.set_to("+13125550100");
  request.set_twiml("<Response/>");
  v1::StartCallResponse response;
  const grpc::Status s = stub_->StartCall(&ctx, request, &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);  // TwiML is Twilio's
  EXPECT_NE(s.error_message().find("twiml"), std::string::npos) << s.error_message();
}

}  // namespace
}  // namespace callcontrol::testing
