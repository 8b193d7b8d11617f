// provider-sim's Telnyx dial table and the WebRTC + PSTN pair.
#include "tools/provider_sim/telnyx/telnyx_scenario.h"

#include "gtest/gtest.h"

namespace callcontrol::provider_sim::testing {
namespace {

TEST(ScenarioTableTest, TelnyxTablePicksByLastFourDigitsAndDefaultsToAnswered) {
  EXPECT_EQ(TelnyxScenarioForNumber("+15558670100").name, "answered");
  EXPECT_EQ(TelnyxScenarioForNumber("+15558670101").name, "busy");
  EXPECT_EQ(TelnyxScenarioForNumber("+15558670102").name, "no-answer");
  EXPECT_EQ(TelnyxScenarioForNumber("+15558670103").name, "failed");
  EXPECT_EQ(TelnyxScenarioForNumber("+15558670104").name, "long-call");
  EXPECT_EQ(TelnyxScenarioForNumber("+15558670105").name, "duplicates");
  EXPECT_EQ(TelnyxScenarioForNumber("+15558670106").name, "slow-answer");
  EXPECT_EQ(TelnyxScenarioForNumber("+15558670107").name, "answered");
  EXPECT_EQ(TelnyxScenarioForNumber("+15558670108").name, "hangup-500");
  EXPECT_TRUE(TelnyxScenarioForNumber("+15558670108").fail_first_hangup);
  EXPECT_EQ(TelnyxScenarioForNumber("+1").name, "answered");
  EXPECT_EQ(TelnyxWebRtcPairScenario().name, "webrtc-pair");
}

}  // namespace
}  // namespace callcontrol::provider_sim::testing
