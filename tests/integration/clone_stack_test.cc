// The voice-clone pre-call flow through real processes: Twilio's incoming-call webhook (signed)
// → greeting TwiML → clone-status redirects → <Connect><Stream> with the cloned voice and no
// secret, or the failure policy within the maximum wait; GetCloneStatus walks pending →
// processing → completed; a daemon killed mid-clone leaves no job stuck in processing.
#include "tests/integration/stack_fixture.h"
#include "tests/testing/wait.h"

namespace callcontrol::testing {
namespace {

class CloneStackTest : public StackTest {
 protected:
  // A minimal WAV file (the daemon checks the leading bytes).
  static std::string Wav() {
    std::string wav("RIFF\x24\x08\x00\x00WAVEfmt ", 16);
    wav.resize(2048, '\x01');
    return wav;
  }

  void PutSample(const std::string& caller) {
    grpc::ClientContext ctx;
    Authorize(&ctx, kAcmeKey);
    v1::PutVoiceSampleRequest request;
    request.set_caller_number(caller);
    request.set_audio(Wav());
    v1::PutVoiceSampleResponse response;
    const grpc::Status s = stub_->PutVoiceSample(&ctx, request, &response);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(response.content_type(), "audio/wav");
  }

  struct Answer {
    long status = -1;
    std::string body;
  };

  // POSTs Twilio's call parameters, signed with `token`, to `url` (a full adapter URL).
  Answer PostSigned(const std::string& url, const http::FormParams& params,
                    const std::string& token = kAuthToken) {
    http::ClientRequest r;
    r.method = "POST";
    r.url = url;
    r.body = http::EncodeForm(params);
    r.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
    if (!token.empty()) {
      r.headers.emplace_back("X-Twilio-Signature", twilio::ComputeSignature(token, url, params));
    }
    http::HttpClient client;
    auto response = client.Send(r);
    if (!response.ok()) return {};
    return {response->status, response->body};
  }

  static http::FormParams IncomingCall(const std::string& call_sid, const std::string& from) {
    return {{"AccountSid", kAccountSid}, {"CallSid", call_sid},     {"From", from},
            {"To", "+15005550006"},      {"CallStatus", "ringing"}, {"Direction", "inbound"},
            {"ApiVersion", "2010-04-01"}};
  }

  // The URL inside <Redirect>…</Redirect>, XML-unescaped ("" if none).
  static std::string RedirectUrl(const std::string& twiml) {
    const size_t open = twiml.find("<Redirect");
    if (open == std::string::npos) return "";
    const size_t start = twiml.find('>', open) + 1;
    std::string url = twiml.substr(start, twiml.find("</Redirect>", start) - start);
    for (size_t at; (at = url.find("&amp;")) != std::string::npos;) url.replace(at, 5, "&");
    return url;
  }

  // Plays Twilio: the incoming-call webhook, then every redirect, until the TwiML connects or
  // hangs up. Returns the final TwiML; `redirects` counts the clone-status requests.
  std::string RunCall(const std::string& call_sid, const std::string& from, int* redirects) {
    const http::FormParams params = IncomingCall(call_sid, from);
    Answer answer =
        PostSigned(AdapterUrl(std::string("/webhooks/twilio/") + kTenant + "/voice"), params);
    EXPECT_EQ(answer.status, 200) << answer.body;
    *redirects = 0;
    const absl::Time give_up = absl::Now() + absl::Seconds(kCloneMaxWaitSeconds + 10);
    while (absl::Now() < give_up) {
      const std::string next = RedirectUrl(answer.body);
      if (next.empty()) return answer.body;
      ++*redirects;
      // Twilio follows after playing the hold audio; a short pause stands in for it.
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      answer = PostSigned(next, params);
      EXPECT_EQ(answer.status, 200) << answer.body;
    }
    ADD_FAILURE() << "the redirect loop did not stop: " << answer.body;
    return answer.body;
  }

  // Twilio's incoming-call webhook for `call_sid` from `from`; returns once its clone job is
  // processing (at most ~2 s).
  void RingUntilCloning(const std::string& call_sid, const std::string& from) {
    ASSERT_EQ(PostSigned(AdapterUrl(std::string("/webhooks/twilio/") + kTenant + "/voice"),
                         IncomingCall(call_sid, from))
                  .status,
              200);
    EXPECT_TRUE(::callcontrol::testing::WaitFor(
        [&] { return CloneOf(call_sid).state() == v1::CLONE_STATE_PROCESSING; },
        std::chrono::seconds(2), "the clone job to be processing", std::chrono::milliseconds(20)));
  }

  v1::CloneJob CloneOf(const std::string& call_sid) {
    grpc::ClientContext ctx;
    Authorize(&ctx, kAcmeKey);
    v1::GetCloneStatusRequest request;
    request.set_call_id(call_sid);
    v1::GetCloneStatusResponse response;
    const grpc::Status s = stub_->GetCloneStatus(&ctx, request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return response.clone();
  }
};

TEST_F(CloneStackTest, GreetingRedirectsThenConnectsTheStreamWithTheClonedVoice) {
  EventCollector events(stub_.get(), 0);
  PutSample("+14155550100");
  const std::string call_sid = "CA00000000000000000000000000c10000";
  int redirects = 0;
  const std::string twiml = RunCall(call_sid, "+14155550100", &redirects);
  EXPECT_GE(redirects, 1);
  ASSERT_NE(twiml.find("<Connect>"), std::string::npos) << twiml;
  EXPECT_NE(twiml.find("wss://agent.example.com/stream"), std::string::npos) << twiml;

  const v1::CloneJob job = CloneOf(call_sid);
  EXPECT_EQ(job.state(), v1::CLONE_STATE_COMPLETED);
  ASSERT_FALSE(job.voice_id().empty());
  EXPECT_NE(twiml.find(job.voice_id()), std::string::npos) << twiml;
  EXPECT_EQ(twiml.find(kVoiceApiKey), std::string::npos) << "secret in TwiML: " << twiml;
  EXPECT_EQ(twiml.find(kAgentTokenSecret), std::string::npos) << "secret in TwiML: " << twiml;
  EXPECT_EQ(twiml.find(kAuthToken), std::string::npos) << "secret in TwiML: " << twiml;

  // pending → processing → completed, each a call:updated (or the call:created) event. The
  // TwiML is answered from the daemon's state before the completed change is committed and
  // streamed, so wait for that event before reading the sequence.
  ASSERT_TRUE(events.WaitFor([&](const v1::Event& e) {
    return e.call().provider_ids().call_sid() == call_sid && e.call().has_clone() &&
           e.call().clone().state() == v1::CLONE_STATE_COMPLETED;
  }));
  std::vector<v1::CloneState> states;
  for (const auto& e : events.events()) {
    if (e.call().provider_ids().call_sid() != call_sid || !e.call().has_clone()) continue;
    if (states.empty() || states.back() != e.call().clone().state()) {
      states.push_back(e.call().clone().state());
    }
  }
  EXPECT_EQ(states,
            (std::vector<v1::CloneState>{v1::CLONE_STATE_PENDING, v1::CLONE_STATE_PROCESSING,
                                         v1::CLONE_STATE_COMPLETED}));
}

TEST_F(CloneStackTest, EachFailureEndsInTheHangupPolicyWithinTheMaximumWait) {
  PutSample("+14155550102");  // the provider refuses it
  PutSample("+14155550103");  // the provider never answers
  struct Case {
    const char* call_sid;
    const char* from;
    v1::CloneState state;
  };
  const Case cases[] = {
      {"CA00000000000000000000000000c10004", "+14155550199", v1::CLONE_STATE_FAILED},  // no sample
      {"CA00000000000000000000000000c10005", "+14155550102", v1::CLONE_STATE_FAILED},
      {"CA00000000000000000000000000c10006", "+14155550103", v1::CLONE_STATE_TIMED_OUT},
  };
  for (const Case& c : cases) {
    const absl::Time start = absl::Now();
    int redirects = 0;
    const std::string twiml = RunCall(c.call_sid, c.from, &redirects);
    EXPECT_LE(absl::Now() - start, absl::Seconds(kCloneMaxWaitSeconds + 3)) << c.from;
    EXPECT_NE(twiml.find("<Hangup"), std::string::npos) << c.from << ": " << twiml;
    EXPECT_NE(twiml.find("<Say"), std::string::npos) << c.from << ": " << twiml;
    EXPECT_EQ(twiml.find("<Connect"), std::string::npos) << c.from << ": " << twiml;
    // The job itself ends by the deadline at the latest.
    v1::CloneJob job;
    ::callcontrol::testing::WaitFor(
        [&] {
          job = CloneOf(c.call_sid);
          return job.state() == c.state;
        },
        std::chrono::seconds(5), "the clone job's end", std::chrono::milliseconds(50));
    EXPECT_EQ(job.state(), c.state) << c.from << " " << job.DebugString();
    EXPECT_FALSE(job.error().empty());
  }
}

TEST_F(CloneStackTest, ADaemonKilledMidCloneLeavesNoJobProcessing) {
  PutSample("+14155550103");  // never answers: the job is processing when the daemon dies
  const std::string call_sid = "CA00000000000000000000000000c10003";
  ASSERT_NO_FATAL_FAILURE(RingUntilCloning(call_sid, "+14155550103"));
  ASSERT_EQ(CloneOf(call_sid).state(), v1::CLONE_STATE_PROCESSING);
  daemon_->Stop(SIGKILL);
  ASSERT_NO_FATAL_FAILURE(StartDaemon());
  // Resumed, then ended explicitly by the deadline: never left processing.
  v1::CloneJob job;
  ::callcontrol::testing::WaitFor(
      [&] {
        job = CloneOf(call_sid);
        return job.state() != v1::CLONE_STATE_PROCESSING && job.state() != v1::CLONE_STATE_PENDING;
      },
      std::chrono::seconds(10), "the resumed clone job to end", std::chrono::milliseconds(50));
  EXPECT_EQ(job.state(), v1::CLONE_STATE_TIMED_OUT) << job.DebugString();
  // Resumed after the restart (or, when the restart took longer than the maximum wait, ended
  // at load): either way it ends, explicitly, with a reason.
  EXPECT_FALSE(job.error().empty()) << job.DebugString();
}

TEST_F(CloneStackTest, AHungCloneUploadNeverHoldsUpCallControl) {
  // One thread each: with a shared pool, the upload that never answers would hold the only
  // worker until the job's deadline, and StartCall would wait behind it.
  daemon_->Stop(SIGTERM);
  ASSERT_NO_FATAL_FAILURE(StartDaemon({"--provider-workers", "1", "--clone-workers", "1"}));
  PutSample("+14155550103");  // the provider never answers
  const std::string call_sid = "CA00000000000000000000000000c10007";
  ASSERT_NO_FATAL_FAILURE(RingUntilCloning(call_sid, "+14155550103"));
  ASSERT_EQ(CloneOf(call_sid).state(), v1::CLONE_STATE_PROCESSING);
  v1::Call call;
  ASSERT_TRUE(StartCall("+14155550100", &call).ok());  // dials while the upload hangs
  EXPECT_EQ(CloneOf(call_sid).state(), v1::CLONE_STATE_PROCESSING)
      << "the call was placed only after the clone upload gave up";
}

TEST_F(CloneStackTest, CloneStatusWithABadSignatureIs403) {
  PutSample("+14155550100");
  const std::string call_sid = "CA00000000000000000000000000c10001";
  const http::FormParams params = IncomingCall(call_sid, "+14155550100");
  const Answer first =
      PostSigned(AdapterUrl(std::string("/webhooks/twilio/") + kTenant + "/voice"), params);
  ASSERT_EQ(first.status, 200);
  const std::string next = RedirectUrl(first.body);
  ASSERT_FALSE(next.empty()) << first.body;
  EXPECT_EQ(PostSigned(next, params, "").status, 403);
  EXPECT_EQ(PostSigned(next, params, "not-the-auth-token").status, 403);
  EXPECT_EQ(PostSigned(AdapterUrl(std::string("/webhooks/twilio/") + kTenant + "/voice"),
                       IncomingCall("CA00000000000000000000000000c10002", "+14155550100"),
                       "not-the-auth-token")
                .status,
            403);
  v1::Call none;
  EXPECT_EQ(TryGetCall("CA00000000000000000000000000c10002", &none).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(CloneStackTest, AHangupWhileCloningCancelsTheJob) {
  PutSample("+14155550103");  // never answers: still processing when the caller hangs up
  const std::string call_sid = "CA00000000000000000000000000c1ca01";
  ASSERT_NO_FATAL_FAILURE(RingUntilCloning(call_sid, "+14155550103"));
  // Twilio's final status callback for the inbound call: the caller hung up.
  const http::FormParams completed = {{"AccountSid", kAccountSid}, {"CallSid", call_sid},
                                      {"CallStatus", "completed"}, {"CallDuration", "2"},
                                      {"Direction", "inbound"},    {"SequenceNumber", "3"}};
  ASSERT_EQ(
      PostSigned(AdapterUrl(std::string("/webhooks/twilio/") + kTenant + "/status"), completed)
          .status,
      200);
  const v1::CloneJob job = CloneOf(call_sid);
  EXPECT_EQ(job.state(), v1::CLONE_STATE_CANCELED) << job.DebugString();
  EXPECT_TRUE(job.has_end_time());
}

TEST_F(CloneStackTest, SamplesUpTo10MiBAreAcceptedAndOthersRefusedClearly) {
  auto put = [&](std::string audio, const std::string& caller) {
    grpc::ClientContext ctx;
    Authorize(&ctx, kAcmeKey);
    v1::PutVoiceSampleRequest request;
    request.set_caller_number(caller);
    request.set_audio(std::move(audio));
    v1::PutVoiceSampleResponse response;
    return stub_->PutVoiceSample(&ctx, request, &response);
  };
  std::string big = Wav();
  big.resize(6 * 1024 * 1024, '\x01');  // over gRPC's default 4 MiB message limit
  EXPECT_TRUE(put(big, "+14155550100").ok());
  const grpc::Status pdf = put("%PDF-1.7 not audio", "+14155550100");
  EXPECT_EQ(pdf.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(pdf.error_message().find("WAV"), std::string::npos) << pdf.error_message();
  EXPECT_EQ(put(Wav(), "555-0100").error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

}  // namespace
}  // namespace callcontrol::testing
