// VoiceCloneClient against a fake voice-clone API (FakeProviderApi: a real HTTP server on
// 127.0.0.1:0) that records each request and answers canned ElevenLabs-shaped bodies.
#include "server/providers/voice_clone_client.h"

#include <chrono>
#include <string>
#include <string_view>

#include "common/http/http_server.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/fake_provider_api.h"
#include "tests/testing/status_matchers.h"

namespace callcontrol::providers {
namespace {

using ::callcontrol::testing::FakeProviderApi;
using ::callcontrol::testing::IsOk;
using ::callcontrol::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr char kApiKey[] = "sk_0123456789abcdefSECRET";
constexpr char kVoiceName[] = "callcontrol-CA0123-15551230100";
constexpr std::chrono::milliseconds kLongWait{10000};

// The fake voice-clone API answers with what each test sets through api_.Answer() or holds
// requests after api_.Hold().
class VoiceCloneClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_THAT(api_.Start(/*max_body_bytes=*/4 * 1024 * 1024), IsOk());
    base_url_ = api_.base_url();
  }

  static VoiceSample Sample() {
    VoiceSample sample;
    // Binary bytes, NULs and CRLFs included, to prove the framing is byte-exact.
    sample.audio = std::string("RIFF\x24\x00\x00\x00WAVEfmt \r\n--\r\n\x00\xff\x7f", 23);
    sample.content_type = "audio/wav";
    sample.filename = "caller.wav";
    return sample;
  }

  absl::StatusOr<ClonedVoice> Add(std::chrono::milliseconds timeout = kLongWait) {
    return client_.AddVoice(base_url_, kApiKey, kVoiceName, Sample(), timeout);
  }

  FakeProviderApi api_;
  VoiceCloneClient client_{VoiceCloneClient::Options{}};
  std::string base_url_;
};

// The boundary parameter of a multipart/form-data Content-Type.
std::string BoundaryOf(std::string_view content_type) {
  constexpr std::string_view kKey = "boundary=";
  const size_t at = content_type.find(kKey);
  return at == std::string_view::npos ? "" : std::string(content_type.substr(at + kKey.size()));
}

TEST_F(VoiceCloneClientTest, SendsExactMultipartAndHeaderAndParsesVoiceId) {
  api_.Answer(200, R"({"voice_id":"c38kUX8pkfYO2kHyqfFy","requires_verification":false})");
  auto voice = Add();
  ASSERT_THAT(voice, IsOk());
  EXPECT_EQ(voice->voice_id, "c38kUX8pkfYO2kHyqfFy");

  const auto requests = api_.Requests();
  ASSERT_EQ(requests.size(), 1u);
  const http::Request& r = requests[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.path, "/v1/voices/add");
  EXPECT_EQ(r.Header("xi-api-key"), kApiKey);
  EXPECT_THAT(std::string(r.Header("content-type")), StartsWith("multipart/form-data; boundary="));
  const std::string boundary = BoundaryOf(r.Header("content-type"));
  ASSERT_GE(boundary.size(), 16u);
  EXPECT_LE(boundary.size(), 70u);
  const std::string expected = "--" + boundary +
                               "\r\n"
                               "Content-Disposition: form-data; name=\"name\"\r\n"
                               "\r\n"
                               "callcontrol-CA0123-15551230100\r\n"
                               "--" +
                               boundary +
                               "\r\n"
                               "Content-Disposition: form-data; name=\"files\"; "
                               "filename=\"caller.wav\"\r\n"
                               "Content-Type: audio/wav\r\n"
                               "\r\n" +
                               Sample().audio + "\r\n--" + boundary + "--\r\n";
  EXPECT_EQ(r.body, expected);
}

TEST_F(VoiceCloneClientTest, FreshBoundaryPerRequestAndOptionalNoiseRemoval) {
  api_.Answer(200, R"({"voice_id":"v1","requires_verification":false})");
  VoiceCloneClient::Options options;
  options.remove_background_noise = true;
  VoiceCloneClient client(options);
  ASSERT_THAT(client.AddVoice(base_url_, kApiKey, kVoiceName, Sample(), kLongWait), IsOk());
  ASSERT_THAT(Add(), IsOk());
  const auto requests = api_.Requests();
  ASSERT_EQ(requests.size(), 2u);
  const std::string b0 = BoundaryOf(requests[0].Header("content-type"));
  EXPECT_NE(b0, BoundaryOf(requests[1].Header("content-type")));
  EXPECT_THAT(requests[0].body, HasSubstr("--" + b0 +
                                          "\r\nContent-Disposition: form-data; "
                                          "name=\"remove_background_noise\"\r\n\r\ntrue\r\n"));
  EXPECT_THAT(requests[1].body, Not(HasSubstr("remove_background_noise")));
}

TEST_F(VoiceCloneClientTest, DefaultsAndEscapesFilename) {
  api_.Answer(200, R"({"voice_id":"v1"})");
  VoiceSample sample = Sample();
  sample.filename = "a\"b\r\n.wav";
  sample.content_type = "";
  ASSERT_THAT(client_.AddVoice(base_url_, kApiKey, kVoiceName, sample, kLongWait), IsOk());
  const std::string body = api_.Requests().at(0).body;
  EXPECT_THAT(body, HasSubstr("filename=\"a%22b%0D%0A.wav\"\r\n"
                              "Content-Type: application/octet-stream\r\n\r\n"));
}

TEST_F(VoiceCloneClientTest, BadRequestWithDetailObjectIsFailedPrecondition) {
  api_.Answer(
      400,
      R"({"detail":{"status":"invalid_audio","message":"The audio file could not be decoded."}})");
  auto voice = Add();
  EXPECT_THAT(voice, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(voice.status().message(),
            "voice clone error: invalid_audio: The audio file could not be decoded. (HTTP 400)");
}

TEST_F(VoiceCloneClientTest, UnauthorizedNeverLeaksTheKey) {
  api_.Answer(401, R"({"detail":{"status":"invalid_api_key","message":"Invalid API key"}})");
  auto voice = Add();
  EXPECT_THAT(voice, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(voice.status().message(),
            "voice clone error: invalid_api_key: Invalid API key (HTTP 401)");
  EXPECT_THAT(std::string(voice.status().message()), Not(HasSubstr(kApiKey)));
}

TEST_F(VoiceCloneClientTest, DetailStringAndValidationArrayAndNonJson) {
  api_.Answer(400, R"({"detail":"Voice limit reached"})");
  EXPECT_EQ(Add().status().message(), "voice clone error: Voice limit reached (HTTP 400)");
  api_.Answer(422,
              R"({"detail":[{"loc":["body","files"],"msg":"field required","type":"missing"}]})");
  auto voice = Add();
  EXPECT_THAT(voice, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(voice.status().message(), "voice clone error: field required (HTTP 422)");
  api_.Answer(403, "<html>forbidden</html>");
  EXPECT_EQ(Add().status().message(), "voice clone error: unexpected response (HTTP 403)");
}

TEST_F(VoiceCloneClientTest, ServerErrorAndRateLimitAreUnavailable) {
  api_.Answer(500, R"({"detail":{"status":"internal_error","message":"try again"}})");
  auto voice = Add();
  EXPECT_THAT(voice, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_EQ(voice.status().message(), "voice clone error: internal_error: try again (HTTP 500)");
  api_.Answer(429, R"({"detail":{"status":"too_many_concurrent_requests","message":"slow down"}})");
  EXPECT_THAT(Add(), StatusIs(absl::StatusCode::kUnavailable));
}

TEST_F(VoiceCloneClientTest, SuccessWithoutVoiceIdIsInternal) {
  api_.Answer(200, R"({"requires_verification":false})");
  EXPECT_THAT(Add(), StatusIs(absl::StatusCode::kInternal));
  api_.Answer(200, "not json");
  EXPECT_THAT(Add(), StatusIs(absl::StatusCode::kInternal));
}

TEST_F(VoiceCloneClientTest, CallerTimeoutWinsWhenShorterAndIsUnavailable) {
  api_.Hold();
  const auto start = std::chrono::steady_clock::now();
  auto voice = Add(std::chrono::milliseconds(300));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_THAT(voice, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(std::string(voice.status().message()), HasSubstr("timed out after 300 ms"));
  EXPECT_LT(elapsed, std::chrono::seconds(3));
}

TEST_F(VoiceCloneClientTest, OptionsTimeoutWinsWhenShorter) {
  api_.Hold();
  VoiceCloneClient::Options options;
  options.timeout = std::chrono::milliseconds(200);
  VoiceCloneClient client(options);
  auto voice = client.AddVoice(base_url_, kApiKey, kVoiceName, Sample(), kLongWait);
  EXPECT_THAT(voice, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(std::string(voice.status().message()), HasSubstr("timed out after 200 ms"));
}

TEST_F(VoiceCloneClientTest, NoTimeLeftSendsNothing) {
  EXPECT_THAT(Add(std::chrono::milliseconds(0)), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_TRUE(api_.Requests().empty());
}

TEST_F(VoiceCloneClientTest, RefusedConnectionIsUnavailable) {
  const std::string url = base_url_;
  api_.Stop();
  auto voice = client_.AddVoice(url, kApiKey, kVoiceName, Sample(), kLongWait);
  EXPECT_THAT(voice, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(std::string(voice.status().message()), Not(HasSubstr(kApiKey)));
}

TEST_F(VoiceCloneClientTest, RejectsBadArgumentsWithoutSending) {
  VoiceSample empty = Sample();
  empty.audio.clear();
  EXPECT_THAT(client_.AddVoice(base_url_, kApiKey, kVoiceName, empty, kLongWait),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(client_.AddVoice(base_url_, kApiKey, "", Sample(), kLongWait),
              StatusIs(absl::StatusCode::kInvalidArgument));
  VoiceSample bad_type = Sample();
  bad_type.content_type = "audio/wav\r\nX-Evil: 1";
  EXPECT_THAT(client_.AddVoice(base_url_, kApiKey, kVoiceName, bad_type, kLongWait),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_TRUE(api_.Requests().empty());
}

}  // namespace
}  // namespace callcontrol::providers
