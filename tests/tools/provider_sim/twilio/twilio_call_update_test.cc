// provider-sim's REST hangup semantics (Twilio's): `canceled` vs `completed` by call state, and
// updates on ended calls.
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/tools/provider_sim/sim_test_fixture.h"

namespace callcontrol::provider_sim::testing {
namespace {

using CallUpdateTest = SimTest;

// Waits until the receiver has a callback with CallStatus `status`.
::testing::AssertionResult WaitForStatus(const CallbackReceiver& receiver,
                                         const std::string& status) {
  return WaitFor(
      [&] {
        for (const auto& cb : receiver.Received()) {
          if (cb.Param("CallStatus") == status) return true;
        }
        return false;
      },
      std::chrono::seconds(5), "a " + status + " callback");
}

TEST_F(CallUpdateTest, CanceledOnAnInProgressCallDoesNothing) {
  CallbackReceiver receiver;
  const std::string sid = CreateSubscribed("+15558670104", receiver.Url("/s?call_id=call_x"));
  ASSERT_TRUE(WaitForStatus(receiver, "in-progress"));

  const RestResult r = Update(sid, {{"Status", "canceled"}});
  EXPECT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(r.body["status"], "in-progress");
  EXPECT_EQ(Fetch(sid).body["status"], "in-progress");
  const nlohmann::json view = InspectCall(sid);
  EXPECT_EQ(view["phase"], "in-progress");
  ASSERT_EQ(view["updates"].size(), 1u);
  EXPECT_EQ(view["updates"][0]["status"], "canceled");
  EXPECT_EQ(view["updates"][0]["http_status"], 200);
  EXPECT_THAT(view["updates"][0]["effect"].get<std::string>(), ::testing::HasSubstr("no effect"));
  EXPECT_EQ(receiver.Count(), 3u) << "no callback for an update without effect";
}

TEST_F(CallUpdateTest, CompletedMidCallEndsItWithACompletedCallback) {
  CallbackReceiver receiver;
  const std::string sid = CreateSubscribed("+15558670104", receiver.Url("/s"));
  ASSERT_TRUE(WaitForStatus(receiver, "in-progress"));

  const RestResult r = Update(sid, {{"Status", "completed"}});
  EXPECT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(r.body["status"], "completed");
  EXPECT_TRUE(r.body["duration"].is_string());
  // The long call would talk for 3600 s (180 s here); the hangup reports at once.
  ASSERT_TRUE(receiver.WaitForCount(4, std::chrono::seconds(2)));
  const ReceivedCallback completed = receiver.Received()[3];
  EXPECT_EQ(completed.Param("CallStatus"), "completed");
  EXPECT_EQ(completed.Param("SequenceNumber"), "3");
  EXPECT_EQ(completed.Param("SipResponseCode"), "200");
  EXPECT_TRUE(completed.HasParam("CallDuration"));
  EXPECT_EQ(completed.Param("CallDuration"), r.body["duration"].get<std::string>());
  EXPECT_EQ(InspectCall(sid)["updates"][0]["effect"], "ended: completed");
}

TEST_F(CallUpdateTest, CanceledWhileRingingEndsTheCallAsCanceled) {
  CallbackReceiver receiver;
  const std::string sid = CreateSubscribed("+15558670106", receiver.Url("/s"));
  ASSERT_TRUE(WaitForStatus(receiver, "ringing"));

  const RestResult r = Update(sid, {{"Status", "canceled"}});
  EXPECT_EQ(r.status, 200) << r.body.dump();
  EXPECT_EQ(r.body["status"], "canceled");
  EXPECT_EQ(r.body["duration"], "0");
  ASSERT_TRUE(receiver.WaitForCount(3));
  const ReceivedCallback ended = receiver.Received()[2];
  EXPECT_EQ(ended.Param("CallStatus"), "canceled");
  EXPECT_EQ(ended.Param("SequenceNumber"), "2");
  EXPECT_EQ(ended.Param("SipResponseCode"), "487");
  EXPECT_EQ(ended.Param("CallDuration"), "0");
  // The timeline is stopped: the slow answer (due at 8.5 s * 0.05 = 425 ms) never comes.
  EXPECT_FALSE(WaitFor([&] { return receiver.Count() > 3u; }, std::chrono::milliseconds(650),
                       "a callback after the cancel"));
  EXPECT_EQ(receiver.Count(), 3u);
  EXPECT_EQ(Fetch(sid).body["status"], "canceled");
}

TEST_F(CallUpdateTest, CompletedBeforeAnswerEndsTheCallAsCanceled) {
  CallbackReceiver receiver;
  const std::string sid = CreateSubscribed("+15558670106", receiver.Url("/s"));
  ASSERT_TRUE(WaitForStatus(receiver, "ringing"));
  const RestResult r = Update(sid, {{"Status", "completed"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body["status"], "canceled");
  ASSERT_TRUE(WaitForStatus(receiver, "canceled"));
}

TEST_F(CallUpdateTest, CancelRightAfterCreateEndsAQueuedCall) {
  CallbackReceiver receiver;
  sim_.reset();
  StartSim(10.0);  // initiated only after 1 s: the call is still queued when the update arrives
  const std::string sid = CreateSubscribed("+15558670100", receiver.Url("/s"));
  const RestResult r = Update(sid, {{"Status", "canceled"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body["status"], "canceled");
  EXPECT_TRUE(r.body["start_time"].is_null());
  ASSERT_TRUE(receiver.WaitForCount(1));
  EXPECT_EQ(receiver.Received()[0].Param("CallStatus"), "canceled");
  EXPECT_EQ(receiver.Received()[0].Param("SequenceNumber"), "0");
}

TEST_F(CallUpdateTest, UpdateOnAnEndedCallGets21220) {
  const std::string sid = Create("+15558670101").body.value("sid", "");
  ASSERT_TRUE(WaitForPhase(sid, "ended"));
  for (const char* status : {"completed", "canceled"}) {
    const RestResult r = Update(sid, {{"Status", status}});
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.body["code"], 21220);
    EXPECT_EQ(r.body["message"], "Call is not in-progress. Cannot redirect.");
    EXPECT_EQ(r.body["more_info"], "https://www.twilio.com/docs/errors/21220");
  }
  const RestResult redirect = Update(sid, {{"Url", "https://voice.example.com/next"}});
  EXPECT_EQ(redirect.body["code"], 21220);
  const nlohmann::json view = InspectCall(sid);
  ASSERT_EQ(view["updates"].size(), 3u);
  EXPECT_EQ(view["updates"][0]["error_code"], 21220);
  EXPECT_EQ(view["updates"][0]["effect"], "rejected");
  EXPECT_EQ(Fetch(sid).body["status"], "busy");
}

TEST_F(CallUpdateTest, RedirectOfALiveCallIsAcceptedAndChangesNothing) {
  const std::string sid = Create("+15558670104").body.value("sid", "");
  const RestResult r = Update(sid, {{"Twiml", "<Response><Hangup/></Response>"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body["status"], "completed");
}

}  // namespace
}  // namespace callcontrol::provider_sim::testing
