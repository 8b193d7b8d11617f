// provider-sim's status callbacks as a real receiver sees them: order, SequenceNumber, Twilio's
// parameters, X-Twilio-Signature, retries, subscriptions.
#include <set>
#include <string>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "providers/twilio/twilio_signature.h"
#include "providers/twilio/twilio_time.h"
#include "tests/testing/status_matchers.h"
#include "tests/tools/provider_sim/sim_test_fixture.h"

namespace callcontrol::provider_sim::testing {
namespace {

using ::callcontrol::testing::IsOk;

using StatusCallbackTest = SimTest;

std::vector<std::string> Statuses(const std::vector<ReceivedCallback>& received) {
  std::vector<std::string> out;
  for (const auto& r : received) out.push_back(r.Param("CallStatus"));
  return out;
}

TEST_F(StatusCallbackTest, AnsweredCallSendsSubscribedCallbacksInOrderAndSigned) {
  CallbackReceiver receiver;
  const std::string url = receiver.Url("/webhooks/twilio/acme/status?call_id=call_x");
  const std::string sid = CreateSubscribed("+15558670100", url);
  ASSERT_TRUE(receiver.WaitForCount(4));
  const auto received = receiver.Received();
  ASSERT_EQ(received.size(), 4u);
  EXPECT_THAT(Statuses(received),
              ::testing::ElementsAre("initiated", "ringing", "in-progress", "completed"));
  std::set<std::string> tokens;
  for (size_t i = 0; i < received.size(); ++i) {
    const ReceivedCallback& cb = received[i];
    SCOPED_TRACE(cb.Param("CallStatus"));
    EXPECT_EQ(cb.method, "POST");
    EXPECT_EQ(cb.target, "/webhooks/twilio/acme/status?call_id=call_x");
    EXPECT_EQ(cb.Param("SequenceNumber"), std::to_string(i));
    EXPECT_EQ(cb.Param("CallSid"), sid);
    EXPECT_EQ(cb.Param("AccountSid"), kAccountSid);
    EXPECT_EQ(cb.Param("ApiVersion"), "2010-04-01");
    EXPECT_EQ(cb.Param("Direction"), "outbound-api");
    EXPECT_EQ(cb.Param("CallbackSource"), "call-progress-events");
    EXPECT_EQ(cb.Param("To"), "+15558670100");
    EXPECT_EQ(cb.Param("Called"), "+15558670100");
    EXPECT_EQ(cb.Param("From"), kFrom);
    EXPECT_EQ(cb.Param("Caller"), kFrom);
    EXPECT_THAT(twilio::ParseTwilioTime(cb.Param("Timestamp")), IsOk());
    EXPECT_EQ(cb.Header("content-type"), "application/x-www-form-urlencoded");
    EXPECT_EQ(cb.Header("user-agent"), "TwilioProxy/1.1");
    EXPECT_TRUE(
        twilio::ValidateSignature(kAuthToken, url, cb.params, cb.Header("x-twilio-signature")));
    EXPECT_FALSE(twilio::ValidateSignature("another-token", url, cb.params,
                                           cb.Header("x-twilio-signature")));
    tokens.insert(cb.Header("i-twilio-idempotency-token"));
    EXPECT_EQ(cb.HasParam("CallDuration"), i == 3);
  }
  EXPECT_EQ(tokens.size(), 4u) << "one idempotency token per callback";
  const ReceivedCallback& completed = received[3];
  EXPECT_EQ(completed.Param("CallDuration"), "3");
  EXPECT_EQ(completed.Param("Duration"), "1");
  EXPECT_EQ(completed.Param("SipResponseCode"), "200");

  // The simulator's own record agrees (it records a delivery once the answer is back, which
  // may be just after the receiver saw the request).
  nlohmann::json view;
  EXPECT_TRUE(WaitFor(
      [&] {
        view = InspectCall(sid);
        return view["callbacks"].size() >= 4u;
      },
      std::chrono::seconds(2), "the simulator to record 4 deliveries"));
  ASSERT_EQ(view["callbacks"].size(), 4u);
  EXPECT_EQ(view["callbacks"][2]["call_status"], "in-progress");
  EXPECT_EQ(view["callbacks"][2]["sequence_number"], 2);
  EXPECT_EQ(view["callbacks"][2]["http_status"], 200);
}

TEST_F(StatusCallbackTest, WithoutStatusCallbackEventOnlyCompletedIsSent) {
  CallbackReceiver receiver;
  const RestResult r = Create("+15558670100", {{"StatusCallback", receiver.Url("/s?x=1")}});
  ASSERT_EQ(r.status, 201);
  const std::string sid = r.body.value("sid", "");
  ASSERT_TRUE(WaitFor([&] { return InspectCall(sid)["callbacks"].size() == 1; },
                      std::chrono::seconds(5), "the completed callback"));
  const auto received = receiver.Received();
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].Param("CallStatus"), "completed");
  EXPECT_EQ(received[0].Param("SequenceNumber"), "0");
  EXPECT_EQ(InspectCall(sid)["phase"], "ended");
}

TEST_F(StatusCallbackTest, GetMethodPutsParamsInTheQueryAndSignsTheFullUrl) {
  CallbackReceiver receiver;
  const RestResult r = Create("+15558670100", {{"StatusCallback", receiver.Url("/s?call_id=c1")},
                                               {"StatusCallbackMethod", "GET"},
                                               {"StatusCallbackEvent", "ringing"}});
  ASSERT_EQ(r.status, 201);
  ASSERT_TRUE(receiver.WaitForCount(1));
  const ReceivedCallback cb = receiver.Received()[0];
  EXPECT_EQ(cb.method, "GET");
  EXPECT_EQ(cb.Param("CallStatus"), "ringing");
  EXPECT_EQ(cb.Param("call_id"), "c1");
  const std::string full_url = receiver.Url(cb.target);
  EXPECT_TRUE(twilio::ValidateSignature(kAuthToken, full_url, {}, cb.Header("x-twilio-signature")));
}

TEST_F(StatusCallbackTest, OnlySubscribedEventsAreSentAndSequenceCountsSentCallbacks) {
  CallbackReceiver receiver;
  Create("+15558670100", {{"StatusCallback", receiver.Url("/s")},
                          {"StatusCallbackEvent", "answered"},
                          {"StatusCallbackEvent", "completed"}});
  ASSERT_TRUE(receiver.WaitForCount(2));
  const auto received = receiver.Received();
  EXPECT_THAT(Statuses(received), ::testing::ElementsAre("in-progress", "completed"));
  EXPECT_EQ(received[0].Param("SequenceNumber"), "0");
  EXPECT_EQ(received[1].Param("SequenceNumber"), "1");
}

TEST_F(StatusCallbackTest, FailedDeliveryIsRetriedWithTheSameIdempotencyToken) {
  CallbackReceiver receiver;
  receiver.FailNext({500, 503});
  const std::string sid =
      Create("+15558670100", {{"StatusCallback", receiver.Url("/s")}}).body.value("sid", "");
  ASSERT_TRUE(receiver.WaitForCount(3));
  const auto received = receiver.Received();
  ASSERT_EQ(received.size(), 3u);
  for (const auto& cb : received) {
    EXPECT_EQ(cb.Param("CallStatus"), "completed");
    EXPECT_EQ(cb.Param("SequenceNumber"), "0");
    EXPECT_EQ(cb.Header("i-twilio-idempotency-token"),
              received[0].Header("i-twilio-idempotency-token"));
  }
  ASSERT_TRUE(WaitFor([&] { return InspectCall(sid)["callbacks"].size() == 3; },
                      std::chrono::seconds(5), "3 delivery records"));
  const nlohmann::json attempts = InspectCall(sid)["callbacks"];
  EXPECT_EQ(attempts[0]["http_status"], 500);
  EXPECT_EQ(attempts[1]["http_status"], 503);
  EXPECT_EQ(attempts[2]["http_status"], 200);
  EXPECT_EQ(attempts[2]["attempt"], 2);
}

TEST_F(StatusCallbackTest, UnreachableReceiverIsRetriedThenGivenUp) {
  sim_.reset();
  StartSim(0.05, /*retries=*/1);
  // A port nothing listens on: bind a receiver, remember its URL, stop it.
  std::string url;
  {
    CallbackReceiver gone;
    url = gone.Url("/s");
  }
  const std::string sid = Create("+15558670103", {{"StatusCallback", url}}).body.value("sid", "");
  ASSERT_TRUE(WaitFor([&] { return InspectCall(sid)["callbacks"].size() == 2; },
                      std::chrono::seconds(5), "2 attempts"));
  const nlohmann::json attempts = InspectCall(sid)["callbacks"];
  EXPECT_EQ(attempts[0]["http_status"], 0);
  EXPECT_FALSE(attempts[0]["error"].get<std::string>().empty());
  EXPECT_EQ(attempts[1]["attempt"], 1);
}

TEST_F(StatusCallbackTest, SpaceSeparatedStatusCallbackEventGets201ButNoCallbacks) {
  // Twilio's 21626 trap: one param holding several words is invalid; the call is created and
  // no callback is ever sent.
  CallbackReceiver receiver;
  const RestResult r = Create("+15558670100", {{"StatusCallback", receiver.Url("/s")},
                                               {"StatusCallbackEvent", "initiated ringing"}});
  ASSERT_EQ(r.status, 201);
  const std::string sid = r.body.value("sid", "");
  ASSERT_TRUE(WaitForPhase(sid, "ended"));
  EXPECT_EQ(receiver.Count(), 0u);
  EXPECT_THAT(InspectCall(sid)["callbacks_disabled_reason"].get<std::string>(),
              ::testing::HasSubstr("21626"));
}

}  // namespace
}  // namespace callcontrol::provider_sim::testing
