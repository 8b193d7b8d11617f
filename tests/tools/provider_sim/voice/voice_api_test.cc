// provider-sim's voice-clone API over real HTTP: an in-process SimServer on 127.0.0.1:0 driven by
// the daemon's VoiceCloneClient and by raw requests, every scenario at a fast time scale, the
// /sim/voices inspection, and the multipart parser on its own.
#include <cctype>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "common/http/http_client.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "server/providers/voice_clone_client.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/wait.h"
#include "tools/provider_sim/multipart.h"
#include "tools/provider_sim/sim_server.h"
#include "tools/provider_sim/voice/voice_api.h"
#include "tools/provider_sim/voice/voice_sim_provider.h"

namespace callcontrol::provider_sim {
namespace {

using ::callcontrol::testing::IsOk;
using ::callcontrol::testing::StatusIs;
using ::callcontrol::testing::WaitFor;
using ::testing::HasSubstr;
using json = nlohmann::json;

constexpr double kTimeScale = 0.05;  // 1 s -> 50 ms, 8 s -> 400 ms
constexpr std::chrono::milliseconds kWait{5000};

providers::VoiceSample Sample(size_t bytes = 4000) {
  providers::VoiceSample sample;
  sample.audio = "RIFF" + std::string(bytes - 4, '\x7f');
  sample.content_type = "audio/wav";
  sample.filename = "caller.wav";
  return sample;
}

class VoiceApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SimServer::Options options;
    options.listen = "127.0.0.1:0";
    options.time_scale = kTimeScale;
    options.Provider<VoiceSimProvider>().options().api_keys = {"key-one", "key-two"};
    auto server = SimServer::Start(std::move(options));
    ASSERT_TRUE(server.ok()) << server.status();
    sim_ = *std::move(server);
    base_ = "http://127.0.0.1:" + std::to_string(sim_->port());
  }

  absl::StatusOr<providers::ClonedVoice> Clone(const std::string& name,
                                               std::chrono::milliseconds wait = kWait,
                                               const std::string& key = "key-one") {
    return client_.AddVoice(base_, key, name, Sample(), wait);
  }

  // POST /v1/voices/add with a hand-made body.
  http::ClientResponse Post(const std::string& content_type, const std::string& body,
                            const std::string& key = "key-one") {
    http::ClientRequest request;
    request.method = "POST";
    request.url = base_ + "/v1/voices/add";
    request.headers = {{"Content-Type", content_type}};
    if (!key.empty()) request.headers.emplace_back("xi-api-key", key);
    request.body = body;
    auto response = http_.Send(request);
    EXPECT_TRUE(response.ok()) << response.status();
    return response.ok() ? *response : http::ClientResponse{};
  }

  json Voices() {
    http::ClientRequest request;
    request.url = base_ + "/sim/voices";
    auto response = http_.Send(request);
    EXPECT_TRUE(response.ok()) << response.status();
    if (!response.ok()) return json();
    EXPECT_EQ(response->status, 200);
    return json::parse(response->body);
  }

  providers::VoiceCloneClient client_{providers::VoiceCloneClient::Options{}};
  http::HttpClient http_;
  std::unique_ptr<SimServer> sim_;
  std::string base_;
};

bool IsAlnum20(const std::string& id) {
  if (id.size() != 20) return false;
  for (const char c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

TEST_F(VoiceApiTest, DefaultScenarioClonesAfterScaledLatencyAndIsInspectable) {
  const auto start = std::chrono::steady_clock::now();
  auto voice = Clone("callcontrol-CA01-15551230100");
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_THAT(voice, IsOk());
  EXPECT_TRUE(IsAlnum20(voice->voice_id)) << voice->voice_id;
  EXPECT_GE(elapsed, std::chrono::milliseconds(45));  // 1 s * 0.05
  // Any other suffix behaves like 0100; the second key works too.
  auto other = Clone("callcontrol-CA02-15551239999", kWait, "key-two");
  ASSERT_THAT(other, IsOk());
  EXPECT_NE(other->voice_id, voice->voice_id);

  const json voices = Voices()["voices"];
  ASSERT_EQ(voices.size(), 2u);
  EXPECT_EQ(voices[0]["name"], "callcontrol-CA01-15551230100");
  EXPECT_EQ(voices[0]["scenario"], "cloned");
  EXPECT_EQ(voices[0]["filename"], "caller.wav");
  EXPECT_EQ(voices[0]["content_type"], "audio/wav");
  EXPECT_EQ(voices[0]["file_size"], 4000);
  EXPECT_EQ(voices[0]["file_count"], 1);
  EXPECT_EQ(voices[0]["status"], 200);
  EXPECT_EQ(voices[0]["voice_id"], voice->voice_id);
  EXPECT_EQ(voices[0]["attempt"], 1);
  EXPECT_EQ(voices[1]["voice_id"], other->voice_id);
}

TEST_F(VoiceApiTest, LargeSampleIsAccepted) {
  auto voice = client_.AddVoice(base_, "key-one", "big-0100", Sample(2 * 1024 * 1024), kWait);
  ASSERT_THAT(voice, IsOk());
  EXPECT_EQ(Voices()["voices"][0]["file_size"], 2 * 1024 * 1024);
}

TEST_F(VoiceApiTest, FlakyScenarioFailsFirstThenSucceeds) {
  auto first = Clone("callcontrol-CA03-15551230101");
  EXPECT_THAT(first, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(std::string(first.status().message()), HasSubstr("internal_error"));
  EXPECT_THAT(std::string(first.status().message()), HasSubstr("(HTTP 500)"));
  auto retry = Clone("callcontrol-CA03-15551230101");
  ASSERT_THAT(retry, IsOk());
  EXPECT_TRUE(IsAlnum20(retry->voice_id));
  // Another name with the same suffix has its own first failure.
  EXPECT_THAT(Clone("callcontrol-CA04-15551230101"), StatusIs(absl::StatusCode::kUnavailable));

  const json voices = Voices()["voices"];
  ASSERT_EQ(voices.size(), 3u);
  EXPECT_EQ(voices[0]["status"], 500);
  EXPECT_EQ(voices[0]["attempt"], 1);
  EXPECT_EQ(voices[1]["status"], 200);
  EXPECT_EQ(voices[1]["attempt"], 2);
  EXPECT_EQ(voices[2]["status"], 500);
}

TEST_F(VoiceApiTest, InvalidAudioScenarioAlwaysFailsPermanently) {
  for (int i = 0; i < 2; ++i) {
    auto voice = Clone("callcontrol-CA05-15551230102");
    EXPECT_THAT(voice, StatusIs(absl::StatusCode::kFailedPrecondition));
    EXPECT_THAT(std::string(voice.status().message()), HasSubstr("invalid_audio"));
    EXPECT_THAT(std::string(voice.status().message()), HasSubstr("(HTTP 400)"));
  }
  EXPECT_EQ(Voices()["voices"][1]["status"], 400);
}

TEST_F(VoiceApiTest, NeverAnswersUntilTheClientGivesUpAndShutdownIsQuick) {
  auto voice = Clone("callcontrol-CA06-15551230103", std::chrono::milliseconds(300));
  EXPECT_THAT(voice, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(std::string(voice.status().message()), HasSubstr("timed out"));
  json voices = Voices()["voices"];
  ASSERT_EQ(voices.size(), 1u);
  EXPECT_EQ(voices[0]["scenario"], "never-answers");
  EXPECT_EQ(voices[0]["status"], 0);

  const auto start = std::chrono::steady_clock::now();
  sim_->Shutdown();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(900));
}

TEST_F(VoiceApiTest, ShutdownWithAHeldRequestStillConnectedCompletes) {
  // The client is still waiting when the sim stops: it gets 503 (retryable) and Shutdown is quick.
  absl::StatusOr<providers::ClonedVoice> voice;
  std::thread waiter([&] { voice = Clone("callcontrol-CA07-15551230103"); });
  ASSERT_TRUE(WaitFor([&] { return !Voices()["voices"].empty(); }, kWait, "the held request"));
  const auto start = std::chrono::steady_clock::now();
  sim_->Shutdown();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(900));
  waiter.join();
  EXPECT_THAT(voice, StatusIs(absl::StatusCode::kUnavailable));
}

TEST_F(VoiceApiTest, SlowScenarioTakesEightScaledSeconds) {
  auto impatient = Clone("callcontrol-CA08-15551230104", std::chrono::milliseconds(150));
  EXPECT_THAT(impatient, StatusIs(absl::StatusCode::kUnavailable));
  const auto start = std::chrono::steady_clock::now();
  auto patient = Clone("callcontrol-CA08-15551230104");
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_THAT(patient, IsOk());
  EXPECT_GE(elapsed, std::chrono::milliseconds(380));  // 8 s * 0.05
}

TEST_F(VoiceApiTest, WrongOrMissingKeyIs401) {
  auto voice = Clone("callcontrol-CA09-15551230100", kWait, "wrong-key");
  EXPECT_THAT(voice, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(std::string(voice.status().message()), HasSubstr("invalid_api_key"));
  EXPECT_THAT(std::string(voice.status().message()), HasSubstr("(HTTP 401)"));

  const auto response = Post("multipart/form-data; boundary=x", "--x--\r\n", /*key=*/"");
  EXPECT_EQ(response.status, 401);
  const json body = json::parse(response.body);
  EXPECT_EQ(body["detail"]["status"], "invalid_api_key");
  EXPECT_TRUE(body["detail"]["message"].is_string());
}

TEST_F(VoiceApiTest, MissingOrEmptyFilesPartIs400) {
  const std::string no_files =
      "--b\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nv-0100\r\n--b--\r\n";
  auto response = Post("multipart/form-data; boundary=b", no_files);
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(json::parse(response.body)["detail"]["status"], "no_audio_files");

  const std::string empty_file =
      "--b\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nv-0100\r\n"
      "--b\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.wav\"\r\n"
      "Content-Type: audio/wav\r\n\r\n\r\n--b--\r\n";
  response = Post("multipart/form-data; boundary=b", empty_file);
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(json::parse(response.body)["detail"]["status"], "no_audio_files");

  const std::string no_name =
      "--b\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.wav\"\r\n"
      "Content-Type: audio/wav\r\n\r\nRIFF\r\n--b--\r\n";
  response = Post("multipart/form-data; boundary=b", no_name);
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(json::parse(response.body)["detail"]["status"], "name_missing");

  response = Post("application/json", R"({"name":"x"})");
  EXPECT_EQ(response.status, 400);
  response = Post("multipart/form-data; boundary=b", "garbage");
  EXPECT_EQ(response.status, 400);

  const json voices = Voices()["voices"];
  ASSERT_EQ(voices.size(), 5u);
  EXPECT_EQ(voices[0]["status"], 400);
  EXPECT_EQ(voices[0]["name"], "v-0100");
}

TEST_F(VoiceApiTest, UnknownPathAndMethod) {
  http::ClientRequest request;
  request.url = base_ + "/v1/voices/add";
  request.headers = {{"xi-api-key", "key-one"}};
  auto response = http_.Send(request);
  ASSERT_THAT(response, IsOk());
  EXPECT_EQ(response->status, 405);
  request.url = base_ + "/v1/voices/other";
  response = http_.Send(request);
  ASSERT_THAT(response, IsOk());
  EXPECT_EQ(response->status, 404);
}

TEST(VoiceScenarioTest, ChosenByTheLastFourDigits) {
  EXPECT_EQ(VoiceScenarioForName("callcontrol-CA1-15551230101").name, "flaky");
  EXPECT_EQ(VoiceScenarioForName("callcontrol-CA1-15551230104").name, "slow");
  EXPECT_EQ(VoiceScenarioForName("callcontrol-CA1-15551235555").name, "cloned");
  EXPECT_EQ(VoiceScenarioForName("0102").name, "invalid-audio");
  EXPECT_EQ(VoiceScenarioForName("x").name, "cloned");
  EXPECT_EQ(VoiceScenarioForName("a0103b").name, "cloned");
}

TEST(MultipartTest, ParsesTheClientsFormByteForByte) {
  providers::VoiceSample sample;
  sample.audio = std::string("\x00\r\n--x\r\n\xff", 9);
  sample.content_type = "audio/mpeg";
  sample.filename = "s.mp3";
  const auto form = providers::BuildVoiceCloneForm("BoUnDaRy123", "my-voice", sample, true);
  auto boundary = MultipartBoundary(form.content_type);
  ASSERT_THAT(boundary, IsOk());
  EXPECT_EQ(*boundary, "BoUnDaRy123");
  auto parts = ParseMultipart(form.body, *boundary);
  ASSERT_THAT(parts, IsOk());
  ASSERT_EQ(parts->size(), 3u);
  EXPECT_EQ((*parts)[0].name, "name");
  EXPECT_EQ((*parts)[0].data, "my-voice");
  EXPECT_FALSE((*parts)[0].has_filename);
  EXPECT_EQ((*parts)[1].name, "remove_background_noise");
  EXPECT_EQ((*parts)[1].data, "true");
  EXPECT_EQ((*parts)[2].name, "files");
  EXPECT_TRUE((*parts)[2].has_filename);
  EXPECT_EQ((*parts)[2].filename, "s.mp3");
  EXPECT_EQ((*parts)[2].content_type, "audio/mpeg");
  EXPECT_EQ((*parts)[2].data, sample.audio);
}

TEST(MultipartTest, QuotedBoundaryPreambleAndErrors) {
  auto boundary = MultipartBoundary("Multipart/Form-Data; charset=utf-8; boundary=\"a b;c\"");
  ASSERT_THAT(boundary, IsOk());
  EXPECT_EQ(*boundary, "a b;c");
  EXPECT_THAT(MultipartBoundary("text/plain"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(MultipartBoundary("multipart/form-data"),
              StatusIs(absl::StatusCode::kInvalidArgument));

  auto parts = ParseMultipart(
      "preamble\r\n--q\r\ncontent-disposition: form-data; name=\"n\"\r\n\r\nv\r\n--q--\r\nend",
      "q");
  ASSERT_THAT(parts, IsOk());
  ASSERT_EQ(parts->size(), 1u);
  EXPECT_EQ((*parts)[0].data, "v");
  EXPECT_THAT(ParseMultipart("--q\r\nContent-Disposition: form-data; name=\"n\"\r\n\r\nv", "q"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseMultipart("--q\r\nContent-Type: text/plain\r\n\r\nv\r\n--q--", "q"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseMultipart("nothing here", "q"), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace callcontrol::provider_sim
