// VoiceCloneClient against a fake voice-clone API: a real HTTP server on 127.0.0.1:0 that records
// each request and answers canned ElevenLabs-shaped bodies.
#include "server/providers/voice_clone_client.h"

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/http/http_server.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace callcontrol::providers {
namespace {

using ::callcontrol::testing::IsOk;
using ::callcontrol::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr char kApiKey[] = "sk_0123456789abcdefSECRET";
constexpr char kVoiceName[] = "callcontrol-CA0123-15551230100";
constexpr std::chrono::milliseconds kLongWait{10000};

struct Recorded {
  std::string method;
  std::string path;
  std::string api_key;
  std::string content_type;
  std::string body;
};

// Fake voice-clone API. Answers every request with `answer` (set per test); when `hold` is set,
// keeps the request unanswered until the fixture ends (to make the client time out).
class VoiceCloneClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    http::HttpServer::Options options;
    options.listen = "127.0.0.1:0";
    options.max_body_bytes = 4 * 1024 * 1024;
    auto server = http::HttpServer::Start(options, [this](http::Request&& request,
                                                          http::Responder respond) {
      std::lock_guard lock(mu_);
      recorded_.push_back({request.method, request.path, std::string(request.Header("xi-api-key")),
                           std::string(request.Header("content-type")), request.body});
      if (hold_) {
        held_.push_back(std::move(respond));
        return;
      }
      respond(answer_);
    });
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    base_url_ = "http://127.0.0.1:" + std::to_string(server_->port());
  }

  void TearDown() override {
    std::vector<http::Responder> held;
    {
      std::lock_guard lock(mu_);
      held.swap(held_);
    }
    for (auto& respond : held) respond(http::Response{});
    if (server_ != nullptr) server_->Shutdown();
  }

  void Answer(int status, std::string body) {
    std::lock_guard lock(mu_);
    answer_.status = status;
    answer_.body = std::move(body);
    answer_.content_type = "application/json";
  }

  void Hold() {
    std::lock_guard lock(mu_);
    hold_ = true;
  }

  std::vector<Recorded> Requests() {
    std::lock_guard lock(mu_);
    return recorded_;
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

  VoiceCloneClient client_{VoiceCloneClient::Options{}};
  std::string base_url_;
  std::unique_ptr<http::HttpServer> server_;

 private:
  std::mutex mu_;
  http::Response answer_;
  bool hold_ = false;
  std::vector<Recorded> recorded_;
  std::vector<http::Responder> held_;
};

// The boundary parameter of a multipart/form-data Content-Type.
std::string BoundaryOf(const std::string& content_type) {
  const std::string key = "boundary=";
  const size_t at = content_type.find(key);
  return at == std::string::npos ? "" : content_type.substr(at + key.size());
}

TEST_F(VoiceCloneClientTest, SendsExactMultipartAndHeaderAndParsesVoiceId) {
  Answer(200, R"({"voice_id":"c38kUX8pkfYO2kHyqfFy","requires_verification":false})");
  auto voice = Add();
  ASSERT_THAT(voice, IsOk());
  EXPECT_EQ(voice->voice_id, "c38kUX8pkfYO2kHyqfFy");

  const auto requests = Requests();
  ASSERT_EQ(requests.size(), 1u);
  const Recorded& r = requests[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.path, "/v1/voices/add");
  EXPECT_EQ(r.api_key, kApiKey);
  EXPECT_THAT(r.content_type, StartsWith("multipart/form-data; boundary="));
  const std::string boundary = BoundaryOf(r.content_type);
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
  Answer(200, R"({"voice_id":"v1","requires_verification":false})");
  VoiceCloneClient::Options options;
  options.remove_background_noise = true;
  VoiceCloneClient client(options);
  ASSERT_THAT(client.AddVoice(base_url_, kApiKey, kVoiceName, Sample(), kLongWait), IsOk());
  ASSERT_THAT(Add(), IsOk());
  const auto requests = Requests();
  ASSERT_EQ(requests.size(), 2u);
  const std::string b0 = BoundaryOf(requests[0].content_type);
  EXPECT_NE(b0, BoundaryOf(requests[1].content_type));
  EXPECT_THAT(requests[0].body, HasSubstr("--" + b0 +
                                          "\r\nContent-Disposition: form-data; "
                                          "name=\"remove_background_noise\"\r\n\r\ntrue\r\n"));
  EXPECT_THAT(requests[1].body, Not(HasSubstr("remove_background_noise")));
}

TEST_F(VoiceCloneClientTest, DefaultsAndEscapesFilename) {
  Answer(200, R"({"voice_id":"v1"})");
  VoiceSample sample = Sample();
  sample.filename = "a\"b\r\n.wav";
  sample.content_type = "";
  ASSERT_THAT(client_.AddVoice(base_url_, kApiKey, kVoiceName, sample, kLongWait), IsOk());
  const std::string body = Requests().at(0).body;
  EXPECT_THAT(body, HasSubstr("filename=\"a%22b%0D%0A.wav\"\r\n"
                              "Content-Type: application/octet-stream\r\n\r\n"));
}

TEST_F(VoiceCloneClientTest, BadRequestWithDetailObjectIsFailedPrecondition) {
  Answer(
      400,
      R"({"detail":{"status":"invalid_audio","message":"The audio file could not be decoded."}})");
  auto voice = Add();
  EXPECT_THAT(voice, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(voice.status().message(),
            "voice clone error: invalid_audio: The audio file could not be decoded. (HTTP 400)");
}

TEST_F(VoiceCloneClientTest, UnauthorizedNeverLeaksTheKey) {
  Answer(401, R"({"detail":{"status":"invalid_api_key","message":"Invalid API key"}})");
  auto voice = Add();
  EXPECT_THAT(voice, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(voice.status().message(),
            "voice clone error: invalid_api_key: Invalid API key (HTTP 401)");
  EXPECT_THAT(std::string(voice.status().message()), Not(HasSubstr(kApiKey)));
}

TEST_F(VoiceCloneClientTest, DetailStringAndValidationArrayAndNonJson) {
  Answer(400, R"({"detail":"Voice limit reached"})");
  EXPECT_EQ(Add().status().message(), "voice clone error: Voice limit reached (HTTP 400)");
  Answer(422, R"({"detail":[{"loc":["body","files"],"msg":"field required","type":"missing"}]})");
  auto voice = Add();
  EXPECT_THAT(voice, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(voice.status().message(), "voice clone error: field required (HTTP 422)");
  Answer(403, "<html>forbidden</html>");
  EXPECT_EQ(Add().status().message(), "voice clone error: unexpected response (HTTP 403)");
}

TEST_F(VoiceCloneClientTest, ServerErrorAndRateLimitAreUnavailable) {
  Answer(500, R"({"detail":{"status":"internal_error","message":"try again"}})");
  auto voice = Add();
  EXPECT_THAT(voice, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_EQ(voice.status().message(), "voice clone error: internal_error: try again (HTTP 500)");
  Answer(429, R"({"detail":{"status":"too_many_concurrent_requests","message":"slow down"}})");
  EXPECT_THAT(Add(), StatusIs(absl::StatusCode::kUnavailable));
}

TEST_F(VoiceCloneClientTest, SuccessWithoutVoiceIdIsInternal) {
  Answer(200, R"({"requires_verification":false})");
  EXPECT_THAT(Add(), StatusIs(absl::StatusCode::kInternal));
  Answer(200, "not json");
  EXPECT_THAT(Add(), StatusIs(absl::StatusCode::kInternal));
}

TEST_F(VoiceCloneClientTest, CallerTimeoutWinsWhenShorterAndIsUnavailable) {
  Hold();
  const auto start = std::chrono::steady_clock::now();
  auto voice = Add(std::chrono::milliseconds(300));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_THAT(voice, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(std::string(voice.status().message()), HasSubstr("timed out after 300 ms"));
  EXPECT_LT(elapsed, std::chrono::seconds(3));
}

TEST_F(VoiceCloneClientTest, OptionsTimeoutWinsWhenShorter) {
  Hold();
  VoiceCloneClient::Options options;
  options.timeout = std::chrono::milliseconds(200);
  VoiceCloneClient client(options);
  auto voice = client.AddVoice(base_url_, kApiKey, kVoiceName, Sample(), kLongWait);
  EXPECT_THAT(voice, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(std::string(voice.status().message()), HasSubstr("timed out after 200 ms"));
}

TEST_F(VoiceCloneClientTest, NoTimeLeftSendsNothing) {
  EXPECT_THAT(Add(std::chrono::milliseconds(0)), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_TRUE(Requests().empty());
}

TEST_F(VoiceCloneClientTest, RefusedConnectionIsUnavailable) {
  const std::string url = base_url_;
  server_->Shutdown();
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
  EXPECT_TRUE(Requests().empty());
}

}  // namespace
}  // namespace callcontrol::providers
