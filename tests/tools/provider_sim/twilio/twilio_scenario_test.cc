// provider-sim's Twilio scenario table and timelines: busy, no-answer, failed, chaos.
#include "tools/provider_sim/twilio/twilio_scenario.h"

#include <string>
#include <utility>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "providers/twilio/twilio_signature.h"
#include "tests/tools/provider_sim/sim_test_fixture.h"

namespace callcontrol::provider_sim::testing {
namespace {

using ScenarioTest = SimTest;

// (CallStatus, SequenceNumber) of each received callback.
std::vector<std::pair<std::string, std::string>> StatusAndSequence(
    const std::vector<ReceivedCallback>& received) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& cb : received)
    out.emplace_back(cb.Param("CallStatus"), cb.Param("SequenceNumber"));
  return out;
}

using Pair = std::pair<std::string, std::string>;

TEST(ScenarioTableTest, PicksByLastFourDigitsAndDefaultsToAnswered) {
  EXPECT_EQ(ScenarioForNumber("+15558670100").name, "answered");
  EXPECT_EQ(ScenarioForNumber("+15558670101").name, "busy");
  EXPECT_EQ(ScenarioForNumber("+15558670102").name, "no-answer");
  EXPECT_EQ(ScenarioForNumber("+15558670103").name, "failed");
  EXPECT_EQ(ScenarioForNumber("+15558670104").name, "long-call");
  EXPECT_EQ(ScenarioForNumber("+15558670105").name, "chaos");
  EXPECT_EQ(ScenarioForNumber("+15558670106").name, "slow-answer");
  EXPECT_EQ(ScenarioForNumber("+15558670107").name, "refused");
  EXPECT_TRUE(ScenarioForNumber("+15558670107").refuse_create);
  EXPECT_EQ(ScenarioForNumber("+15558679999").name, "answered");
  EXPECT_EQ(ScenarioForNumber("+1").name, "answered");
}

TEST(ScenarioTableTest, StepsAreInTimeOrder) {
  for (const Scenario& s : AllScenarios()) {
    for (size_t i = 1; i < s.steps.size(); ++i) {
      EXPECT_LE(s.steps[i - 1].at_seconds, s.steps[i].at_seconds) << s.name << " step " << i;
    }
  }
}

TEST_F(ScenarioTest, BusyRingsThenEndsBusyWithoutAnswer) {
  CallbackReceiver receiver;
  const std::string sid = CreateSubscribed("+15558670101", receiver.Url("/s"));
  ASSERT_TRUE(receiver.WaitForCount(3));
  ASSERT_TRUE(WaitForPhase(sid, "ended"));
  const auto received = receiver.Received();
  EXPECT_THAT(
      StatusAndSequence(received),
      ::testing::ElementsAre(Pair("initiated", "0"), Pair("ringing", "1"), Pair("busy", "2")));
  EXPECT_EQ(received[2].Param("SipResponseCode"), "486");
  EXPECT_EQ(received[2].Param("CallDuration"), "0");
  EXPECT_EQ(received[2].Param("Duration"), "0");
  const RestResult fetched = Fetch(sid);
  EXPECT_EQ(fetched.body["status"], "busy");
  EXPECT_EQ(fetched.body["duration"], "0");
}

TEST_F(ScenarioTest, NoAnswerEndsWith480) {
  CallbackReceiver receiver;
  CreateSubscribed("+15558670102", receiver.Url("/s"));
  ASSERT_TRUE(receiver.WaitForCount(3));
  const auto received = receiver.Received();
  EXPECT_EQ(received[2].Param("CallStatus"), "no-answer");
  EXPECT_EQ(received[2].Param("SipResponseCode"), "480");
}

TEST_F(ScenarioTest, FailedEndsWithoutRinging) {
  CallbackReceiver receiver;
  CreateSubscribed("+15558670103", receiver.Url("/s"));
  ASSERT_TRUE(receiver.WaitForCount(2));
  const auto received = receiver.Received();
  EXPECT_THAT(StatusAndSequence(received),
              ::testing::ElementsAre(Pair("initiated", "0"), Pair("failed", "1")));
  EXPECT_EQ(received[1].Param("SipResponseCode"), "404");
}

TEST_F(ScenarioTest, ChaosDeliversOutOfOrderAndTwiceWithTrueSequenceNumbers) {
  CallbackReceiver receiver;
  const std::string url = receiver.Url("/s?call_id=call_chaos");
  const std::string sid = CreateSubscribed("+15558670105", url);
  ASSERT_TRUE(receiver.WaitForCount(7));
  const auto received = receiver.Received();
  EXPECT_THAT(
      StatusAndSequence(received),
      ::testing::ElementsAre(Pair("initiated", "0"), Pair("in-progress", "2"), Pair("ringing", "1"),
                             Pair("in-progress", "2"), Pair("completed", "3"),
                             Pair("completed", "3"), Pair("ringing", "1")));
  for (const auto& cb : received) {
    EXPECT_TRUE(
        twilio::ValidateSignature(kAuthToken, url, cb.params, cb.Header("x-twilio-signature")));
  }
  // A duplicate is the same callback again: same parameters and idempotency token.
  EXPECT_EQ(received[1].params, received[3].params);
  EXPECT_EQ(received[1].Header("i-twilio-idempotency-token"),
            received[3].Header("i-twilio-idempotency-token"));
  EXPECT_EQ(received[4].params, received[5].params);
  EXPECT_EQ(received[2].params, received[6].params);
  EXPECT_EQ(received[4].Param("CallDuration"), "3");
  ASSERT_TRUE(WaitFor([&] { return InspectCall(sid)["callbacks"].size() == 7; },
                      std::chrono::seconds(5), "7 delivery records"));
  const nlohmann::json view = InspectCall(sid);
  EXPECT_EQ(view["callbacks"][1]["redelivery"], false);
  EXPECT_EQ(view["callbacks"][2]["redelivery"], false) << "the first, late, ringing";
  EXPECT_EQ(view["callbacks"][3]["redelivery"], true);
  EXPECT_EQ(view["callbacks"][6]["redelivery"], true);
}

}  // namespace
}  // namespace callcontrol::provider_sim::testing
