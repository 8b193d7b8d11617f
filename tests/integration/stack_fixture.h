// The whole product on loopback for integration tests: provider-sim (Twilio's and Telnyx's REST
// APIs and signed webhooks), webhook-adapter and callcontrold as real processes on ephemeral
// ports, the tenants (acme on Twilio, globex on Telnyx, initech on Exotel, hooli on Bolna,
// umbrella on Twilio with recording) and helpers that drive the public gRPC API with each
// tenant's key.
#pragma once

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <condition_variable>
#include <fstream>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "callcontrol/v1/call_control_service.grpc.pb.h"
#include "common/config/config.h"
#include "common/http/form.h"
#include "common/http/http_client.h"
#include "nlohmann/json.hpp"
#include "providers/twilio/twilio_signature.h"
#include "tests/integration/child_process.h"
#include "tests/testing/fixtures.h"
#include "tests/testing/grpc_environment.h"
#include "tests/testing/temp_dir.h"

namespace callcontrol::testing {

using json = nlohmann::json;

// Tenant "acme" places calls through Twilio, tenant "globex" through Telnyx (both simulated).
inline constexpr char kAccountSid[] = "AC0123456789abcdef0123456789abcdef";
inline constexpr char kAuthToken[] = "integration-auth-token";
inline constexpr char kTenant[] = "acme";
inline constexpr char kTelnyxTenant[] = "globex";
inline constexpr char kAcmeKey[] = "cck_integration_acme";
inline constexpr char kGlobexKey[] = "cck_integration_globex";
inline constexpr char kInternalKey[] = "integration-internal-key";
// Tenant "initech" places calls through Exotel, tenant "hooli" runs Bolna agents.
inline constexpr char kExotelTenant[] = "initech";
inline constexpr char kBolnaTenant[] = "hooli";
inline constexpr char kInitechKey[] = "cck_integration_initech";
inline constexpr char kHooliKey[] = "cck_integration_hooli";
inline constexpr char kExotelToken[] = "exotel-webhook-token";
// acme's clone flow: the simulator's voice-clone API, a short maximum wait.
inline constexpr char kVoiceApiKey[] = "sim-voice-key";
inline constexpr char kAgentTokenSecret[] = "integration-agent-token-secret";
inline constexpr int kCloneMaxWaitSeconds = 4;
inline constexpr char kBolnaToken[] = "bolna-webhook-token";
// Tenant "umbrella" places calls through Twilio with recording on (twilio.record).
inline constexpr char kRecordingTenant[] = "umbrella";
inline constexpr char kUmbrellaKey[] = "cck_integration_umbrella";
inline constexpr char kTelnyxApiKey[] = "KEYintegration0000000000000000001";
inline constexpr char kTelnyxConnection[] = "1494404757140276705";
inline const absl::Duration kStartTimeout = absl::Seconds(20);

inline void Authorize(grpc::ClientContext* context, const std::string& api_key) {
  context->AddMetadata("authorization", "Bearer " + api_key);
}

inline int PortFromLine(const std::string& line) {
  int port = 0;
  const std::string tail = line.substr(line.rfind(':') + 1);
  (void)absl::SimpleAtoi(tail, &port);
  if (port == 0) (void)absl::SimpleAtoi(line.substr(line.rfind(' ') + 1), &port);
  return port;
}

// Collects a StreamEvents subscription in the background.
class EventCollector {
 public:
  EventCollector(v1::CallControlService::Stub* stub, std::optional<int64_t> since,
                 const std::string& api_key = kAcmeKey) {
    Authorize(&context_, api_key);
    v1::StreamEventsRequest request;
    if (since) request.set_since_sequence(*since);
    reader_ = stub->StreamEvents(&context_, request);
    thread_ = std::thread([this] {
      v1::StreamEventsResponse response;
      while (reader_->Read(&response)) {
        std::lock_guard lock(mu_);
        for (const auto& e : response.events()) events_.push_back(e);
        cv_.notify_all();
      }
      std::lock_guard lock(mu_);
      done_ = true;
      cv_.notify_all();
    });
  }
  ~EventCollector() {
    context_.TryCancel();
    thread_.join();
    reader_->Finish();
  }

  // Waits (bounded) until some event satisfies `pred`; returns it.
  std::optional<v1::Event> WaitFor(const std::function<bool(const v1::Event&)>& pred,
                                   absl::Duration timeout = absl::Seconds(20)) {
    std::unique_lock lock(mu_);
    const auto deadline = std::chrono::steady_clock::now() + absl::ToChronoMilliseconds(timeout);
    size_t checked = 0;
    for (;;) {
      for (; checked < events_.size(); ++checked) {
        if (pred(events_[checked])) return events_[checked];
      }
      if (done_ || cv_.wait_until(lock, deadline) == std::cv_status::timeout) {
        for (; checked < events_.size(); ++checked) {
          if (pred(events_[checked])) return events_[checked];
        }
        return std::nullopt;
      }
    }
  }

  std::vector<v1::Event> events() {
    std::lock_guard lock(mu_);
    return events_;
  }

 private:
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReader<v1::StreamEventsResponse>> reader_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<v1::Event> events_;
  bool done_ = false;
};

inline auto CallReaches(const std::string& call_id, v1::CallStatus status) {
  return [call_id, status](const v1::Event& e) {
    return e.call().call_id() == call_id && e.call().status() == status;
  };
}

class StackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto sim = ChildProcess::Start(
        {PROVIDER_SIM_PATH, "--listen", "127.0.0.1:0", "--time-scale", sim_time_scale_,
         "--twilio-account", std::string(kAccountSid) + ":" + kAuthToken, "--telnyx-api-key",
         kTelnyxApiKey, "--telnyx-private-key-file", dir_.File("telnyx.key"),
         "--telnyx-public-key-out", dir_.File("telnyx.pub"), "--log-level", "warn"},
        dir_.File("sim.log"));
    ASSERT_TRUE(sim.ok()) << sim.status();
    sim_ = *std::move(sim);
    auto line = sim_->WaitForLine("listening on", kStartTimeout);
    ASSERT_TRUE(line.ok()) << line.status();
    sim_port_ = PortFromLine(*line);
    ASSERT_TRUE(sim_->WaitForLine("telnyx public key", kStartTimeout).ok());
    telnyx_private_key_ =
        std::string(absl::StripTrailingAsciiWhitespace(ReadFile(dir_.File("telnyx.key"))));

    daemon_port_ = testing::PickUnusedPort();
    daemon_metrics_port_ = testing::PickUnusedPort();
    // Twilio signs the adapter's public URL, so it must be known before anything starts.
    adapter_port_ = testing::PickUnusedPort();
    WriteConfig();
    // The daemon first, so the adapter's channel to it is up before the first webhook.
    ASSERT_NO_FATAL_FAILURE(StartDaemon());
    ASSERT_NO_FATAL_FAILURE(StartAdapter());
  }

  // Starts webhook-adapter on the fixture's port, talking to the daemon's port.
  void StartAdapter() {
    auto adapter =
        ChildProcess::Start({WEBHOOK_ADAPTER_PATH, "--config", dir_.File("callcontrol.json"),
                             "--listen", "127.0.0.1:" + std::to_string(adapter_port_), "--daemon",
                             "127.0.0.1:" + std::to_string(daemon_port_), "--log-level", "warn"},
                            dir_.File("adapter.log"));
    ASSERT_TRUE(adapter.ok()) << adapter.status();
    adapter_ = *std::move(adapter);
    auto line = adapter_->WaitForLine("listening on", kStartTimeout);
    ASSERT_TRUE(line.ok()) << line.status();
  }

  void TearDown() override {
    stub_.reset();
    channel_.reset();
    if (daemon_) daemon_->Stop(SIGTERM);
    if (adapter_) adapter_->Stop(SIGTERM);
    if (sim_) sim_->Stop(SIGTERM);
    if (HasFailure()) {
      for (const char* log : {"daemon.log", "adapter.log", "sim.log"}) {
        std::ifstream in(dir_.File(log));
        std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        std::cerr << "---- " << log << " ----\n"
                  << text.substr(text.size() > 6000 ? text.size() - 6000 : 0);
      }
    }
  }

  std::string WriteConfig() {
    const std::string path = dir_.File("callcontrol.json");
    std::ofstream out(path);
    const std::string sim_url = "http://127.0.0.1:" + std::to_string(sim_port_);
    const std::string telnyx_public_key(
        absl::StripTrailingAsciiWhitespace(ReadFile(dir_.File("telnyx.pub"))));
    out << json{{"daemon",
                 {{"db", db_path_.empty() ? dir_.File("callcontrol.db") : db_path_},
                  {"internal_api_key", kInternalKey}}},
                {"adapter", {{"public_url", "http://127.0.0.1:" + std::to_string(adapter_port_)}}},
                {"tenants",
                 {{{"id", kTenant},
                   {"default_from", "+15005550006"},
                   {"api_keys", {config::HashApiKey(kAcmeKey)}},
                   {"clone",
                    {{"enabled", true},
                     {"agent_stream_url", "wss://agent.example.com/stream"},
                     {"max_wait_seconds", kCloneMaxWaitSeconds},
                     {"poll_interval_seconds", 1},
                     {"on_failure", "hangup"},
                     {"voice_api_key", kVoiceApiKey},
                     {"voice_api_base_url", sim_url},
                     {"agent_token_secret", kAgentTokenSecret}}},
                   {"rates",
                    {{"twilio",
                      {{"price_per_minute_micros", 14000},
                       {"currency", "USD"},
                       {"rounding", "per_minute"}}}}},
                   {"twilio",
                    {{"account_sid", kAccountSid},
                     {"auth_token", kAuthToken},
                     {"api_base_url", sim_url}}}},
                  {{"id", kTelnyxTenant},
                   {"provider", "telnyx"},
                   {"default_from", "+13125550100"},
                   {"api_keys", {config::HashApiKey(kGlobexKey)}},
                   {"telnyx",
                    {{"api_key", kTelnyxApiKey},
                     {"connection_id", kTelnyxConnection},
                     {"public_key", telnyx_public_key},
                     {"api_base_url", sim_url}}}},
                  {{"id", kExotelTenant},
                   {"provider", "exotel"},
                   {"default_from", "+918033333333"},
                   {"api_keys", {config::HashApiKey(kInitechKey)}},
                   {"webhook_token", kExotelToken},
                   {"exotel",
                    {{"account_sid", "exotelsim1"},
                     {"api_key", "simkey"},
                     {"api_token", "simtoken"},
                     {"api_base_url", sim_url},
                     {"caller_id", "08033333333"},
                     {"flow_url", "http://my.exotel.com/exotelsim1/exoml/start_voice/1"}}},
                   {"rates",
                    {{"exotel",
                      {{"price_per_minute_micros", 800000},
                       {"currency", "INR"},
                       {"rounding", "per_minute"}}}}}},
                  {{"id", kBolnaTenant},
                   {"provider", "bolna"},
                   {"api_keys", {config::HashApiKey(kHooliKey)}},
                   {"webhook_token", kBolnaToken}},
                  {{"id", kRecordingTenant},
                   {"default_from", "+15005550007"},
                   {"api_keys", {config::HashApiKey(kUmbrellaKey)}},
                   {"twilio",
                    {{"account_sid", kAccountSid},
                     {"auth_token", kAuthToken},
                     {"api_base_url", sim_url},
                     {"record", true}}}}}}}
               .dump(2);
    return path;
  }

  // Starts callcontrold on the fixture's ports; `extra_args` are added to its command line.
  void StartDaemon(const std::vector<std::string>& extra_args = {}) {
    std::vector<std::string> args = {CALLCONTROLD_PATH,
                                     "--config",
                                     dir_.File("callcontrol.json"),
                                     "--grpc-listen",
                                     "127.0.0.1:" + std::to_string(daemon_port_),
                                     "--public-url",
                                     "http://127.0.0.1:" + std::to_string(adapter_port_),
                                     "--metrics-listen",
                                     "127.0.0.1:" + std::to_string(daemon_metrics_port_),
                                     "--log-level",
                                     "info"};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    auto daemon = ChildProcess::Start(args, dir_.File("daemon.log"));
    ASSERT_TRUE(daemon.ok()) << daemon.status();
    daemon_ = *std::move(daemon);
    auto line = daemon_->WaitForLine("listening on", kStartTimeout);
    ASSERT_TRUE(line.ok()) << line.status();
    channel_ = grpc::CreateChannel("127.0.0.1:" + std::to_string(daemon_port_),
                                   grpc::InsecureChannelCredentials());
    stub_ = v1::CallControlService::NewStub(channel_);
  }

  grpc::Status StartCall(const std::string& to, v1::Call* call,
                         const std::string& idempotency_key = "",
                         const std::string& api_key = kAcmeKey) {
    grpc::ClientContext ctx;
    Authorize(&ctx, api_key);
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    v1::StartCallRequest request;
    request.set_to(to);
    request.set_idempotency_key(idempotency_key);
    v1::StartCallResponse response;
    grpc::Status s = stub_->StartCall(&ctx, request, &response);
    *call = response.call();
    return s;
  }

  grpc::Status Hangup(const std::string& id, v1::Call* call,
                      const std::string& api_key = kAcmeKey) {
    grpc::ClientContext ctx;
    Authorize(&ctx, api_key);
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    v1::HangupCallRequest request;
    request.set_call_id(id);
    v1::HangupCallResponse response;
    grpc::Status s = stub_->HangupCall(&ctx, request, &response);
    *call = response.call();
    return s;
  }

  grpc::Status TryGetCall(const std::string& id, v1::Call* call,
                          const std::string& api_key = kAcmeKey) {
    grpc::ClientContext ctx;
    Authorize(&ctx, api_key);
    v1::GetCallRequest request;
    request.set_call_id(id);
    v1::GetCallResponse response;
    grpc::Status s = stub_->GetCall(&ctx, request, &response);
    *call = response.call();
    return s;
  }

  v1::Call GetCall(const std::string& id, const std::string& api_key = kAcmeKey) {
    v1::Call call;
    const grpc::Status s = TryGetCall(id, &call, api_key);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return call;
  }

  // POSTs `body` as JSON to a provider-sim control path ("/sim/...") and parses the answer.
  json SimPost(const std::string& path, const json& body) {
    http::HttpClient client;
    http::ClientRequest r;
    r.method = "POST";
    r.url = "http://127.0.0.1:" + std::to_string(sim_port_) + path;
    r.headers = {{"Content-Type", "application/json"}};
    r.body = body.dump();
    auto response = client.Send(r);
    EXPECT_TRUE(response.ok());
    return json::parse(response.ok() ? response->body : "{}", nullptr, false);
  }

  std::string AdapterUrl(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(adapter_port_) + path;
  }

  v1::Metrics GetMetrics(const std::string& api_key) {
    grpc::ClientContext ctx;
    Authorize(&ctx, api_key);
    v1::GetMetricsResponse response;
    EXPECT_TRUE(stub_->GetMetrics(&ctx, v1::GetMetricsRequest(), &response).ok());
    return response.metrics();
  }

  // GETs a provider-sim inspection path ("/sim/...") and parses its JSON.
  json SimGet(const std::string& path) {
    http::HttpClient client;
    http::ClientRequest r;
    r.url = "http://127.0.0.1:" + std::to_string(sim_port_) + path;
    auto response = client.Send(r);
    EXPECT_TRUE(response.ok());
    return json::parse(response.ok() ? response->body : "{}", nullptr, false);
  }

  json SimCall(const std::string& sid) {
    http::HttpClient client;
    http::ClientRequest r;
    r.url = "http://127.0.0.1:" + std::to_string(sim_port_) + "/sim/calls/" + sid;
    auto response = client.Send(r);
    EXPECT_TRUE(response.ok());
    return json::parse(response.ok() ? response->body : "{}", nullptr, false);
  }

  // Posts a status callback to the adapter, signed with `token` ("" = no signature header).
  long PostStatusCallback(const std::string& call_id, const http::FormParams& params,
                          const std::string& token) {
    const std::string target =
        std::string("/webhooks/twilio/") + kTenant + "/status?call_id=" + call_id;
    const std::string url = "http://127.0.0.1:" + std::to_string(adapter_port_) + target;
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
    return response.ok() ? response->status : -1;
  }

  // provider-sim's --time-scale: scenario delays are multiplied by it. A subclass that drives
  // the callbacks itself sets a huge one in its constructor, so the simulator's never come.
  std::string sim_time_scale_ = "0.1";
  testing::TempDir dir_;
  // The daemon's database; empty: callcontrol.db in dir_. Set before StackTest::SetUp().
  std::string db_path_;
  std::unique_ptr<ChildProcess> sim_;
  std::unique_ptr<ChildProcess> adapter_;
  std::unique_ptr<ChildProcess> daemon_;
  std::string telnyx_private_key_;  // base64 seed the simulator signs Telnyx webhooks with
  int sim_port_ = 0;
  int adapter_port_ = 0;
  int daemon_port_ = 0;
  int daemon_metrics_port_ = 0;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::CallControlService::Stub> stub_;
};

}  // namespace callcontrol::testing
