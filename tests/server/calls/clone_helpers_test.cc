// Voice-sample checks and the agent token of the clone flow.
#include <gtest/gtest.h>

#include "server/calls/agent_token.h"
#include "server/calls/voice_sample.h"
#include "tests/testing/status_matchers.h"

namespace callcontrol::calls {
namespace {

std::string Wav() {
  return std::string("RIFF\x24\x00\x00\x00WAVEfmt ", 16) + std::string(64, '\0');
}

TEST(VoiceSampleTest, DetectsFormatsByTheirLeadingBytes) {
  EXPECT_EQ(*DetectAudioFormat(Wav()), "audio/wav");
  EXPECT_EQ(*DetectAudioFormat("ID3\x04rest"), "audio/mpeg");
  EXPECT_EQ(*DetectAudioFormat(std::string("\xff\xfb\x90\x64", 4)), "audio/mpeg");
  EXPECT_EQ(*DetectAudioFormat(std::string("OggS\0\2", 6)), "audio/ogg");
  EXPECT_EQ(*DetectAudioFormat("fLaC\0\0"), "audio/flac");
  EXPECT_EQ(*DetectAudioFormat(std::string("\x1a\x45\xdf\xa3\x01", 5)), "audio/webm");
  EXPECT_THAT(DetectAudioFormat("%PDF-1.7"), testing::StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(VoiceSampleTest, ChecksSizeAndTheDeclaredType) {
  EXPECT_EQ(*CheckVoiceSample(Wav(), ""), "audio/wav");
  EXPECT_EQ(*CheckVoiceSample(Wav(), "audio/x-wav"), "audio/wav");
  EXPECT_THAT(CheckVoiceSample(Wav(), "audio/mpeg"),
              testing::StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(CheckVoiceSample("", ""), testing::StatusIs(absl::StatusCode::kInvalidArgument));
  std::string big = Wav();
  big.resize(kMaxVoiceSampleBytes + 1, '\0');
  EXPECT_THAT(CheckVoiceSample(big, ""), testing::StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(AgentTokenTest, VerifiesItsOwnTokensUntilTheyExpire) {
  const std::string secret = "0123456789abcdef-secret";
  const absl::Time now = absl::FromUnixSeconds(1790000000);
  AgentClaims claims{"call_1", "acme", "vc_789", now + absl::Seconds(300)};
  const std::string token = MakeAgentToken(claims, secret);
  EXPECT_EQ(token.rfind("v1.", 0), 0u);
  EXPECT_EQ(token.find(secret), std::string::npos);
  auto verified = VerifyAgentToken(token, secret, now);
  ASSERT_THAT(verified, testing::IsOk());
  EXPECT_EQ(verified->voice_id, "vc_789");
  EXPECT_EQ(verified->call_id, "call_1");
  EXPECT_THAT(VerifyAgentToken(token, secret, now + absl::Seconds(301)),
              testing::StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(VerifyAgentToken(token, "another-secret-of-16", now),
              testing::StatusIs(absl::StatusCode::kUnauthenticated));
  std::string tampered = token;
  tampered[5] = tampered[5] == 'A' ? 'B' : 'A';
  EXPECT_THAT(VerifyAgentToken(tampered, secret, now),
              testing::StatusIs(absl::StatusCode::kUnauthenticated));
}

}  // namespace
}  // namespace callcontrol::calls
