// Test helpers for provider-sim: an in-process SimServer on 127.0.0.1:0, a real HTTP client for
// its REST API, and a CallbackReceiver (a real HttpServer) that records status callbacks.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "common/http/form.h"
#include "common/http/http_client.h"
#include "common/http/http_server.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/testing/wait.h"
#include "tools/provider_sim/sim_server.h"
#include "tools/provider_sim/twilio/twilio_sim_provider.h"

namespace callcontrol::provider_sim::testing {

inline constexpr char kAccountSid[] = "AC00000000000000000000000000000001";
inline constexpr char kAuthToken[] = "sim-auth-token";
inline constexpr char kOtherAccountSid[] = "AC00000000000000000000000000000002";
inline constexpr char kOtherAuthToken[] = "other-token";
inline constexpr char kFrom[] = "+15017122661";

using ::callcontrol::testing::WaitFor;

// One request the receiver got.
struct ReceivedCallback {
  std::string method;
  std::string target;  // path + "?query"
  std::vector<std::pair<std::string, std::string>> headers;
  http::FormParams params;  // from the body (POST) or the query (GET)
  std::string body;         // the raw body, byte for byte

  std::string Header(const std::string& name) const {
    for (const auto& [n, v] : headers) {
      if (n == name) return v;
    }
    return "";
  }
  std::string Param(const std::string& name) const {
    const std::string* v = http::FindParam(params, name);
    return v == nullptr ? "" : *v;
  }
  bool HasParam(const std::string& name) const { return http::FindParam(params, name) != nullptr; }
};

// A status-callback endpoint on 127.0.0.1:0. Answers 200 unless told to fail.
class CallbackReceiver {
 public:
  CallbackReceiver() {
    http::HttpServer::Options options;
    options.listen = "127.0.0.1:0";
    auto server =
        http::HttpServer::Start(options, [this](http::Request&& request, http::Responder respond) {
          ReceivedCallback received;
          received.method = request.method;
          received.target = request.target;
          received.headers = request.headers;
          received.body = request.body;
          auto params = http::ParseForm(request.method == "GET" ? request.query : request.body);
          if (params.ok()) received.params = *params;
          http::Response response;
          {
            absl::MutexLock lock(&mu_);
            received_.push_back(std::move(received));
            if (!fail_with_.empty()) {
              response.status = fail_with_.front();
              fail_with_.pop_front();
            }
          }
          respond(std::move(response));
        });
    EXPECT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
  }

  // "http://127.0.0.1:PORT" + path_and_query.
  std::string Url(const std::string& path_and_query) const {
    return "http://127.0.0.1:" + std::to_string(server_->port()) + path_and_query;
  }

  // The next requests are answered with these statuses, in order.
  void FailNext(std::vector<int> statuses) {
    absl::MutexLock lock(&mu_);
    fail_with_.assign(statuses.begin(), statuses.end());
  }

  std::vector<ReceivedCallback> Received() const {
    absl::MutexLock lock(&mu_);
    return received_;
  }
  size_t Count() const {
    absl::MutexLock lock(&mu_);
    return received_.size();
  }
  ::testing::AssertionResult WaitForCount(
      size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(5)) const {
    return WaitFor([&] { return Count() >= n; }, timeout,
                   std::to_string(n) + " callbacks (have " + std::to_string(Count()) + ")");
  }

 private:
  mutable absl::Mutex mu_;
  std::vector<ReceivedCallback> received_ ABSL_GUARDED_BY(mu_);
  std::deque<int> fail_with_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<http::HttpServer> server_;
};

struct RestResult {
  long status = 0;
  nlohmann::json body;
};

// Starts a simulator (time scale 0.05: the answered scenario ends in ~0.23 s) with two accounts.
class SimTest : public ::testing::Test {
 protected:
  void SetUp() override { StartSim(0.05); }

  void StartSim(double time_scale, int retries = 3) {
    SimServer::Options options;
    options.listen = "127.0.0.1:0";
    options.time_scale = time_scale;
    options.webhook_retries = retries;
    options.Provider<TwilioSimProvider>().options().accounts = {
        {kAccountSid, kAuthToken}, {kOtherAccountSid, kOtherAuthToken}};
    auto sim = SimServer::Start(std::move(options));
    ASSERT_TRUE(sim.ok()) << sim.status();
    sim_ = *std::move(sim);
  }

  std::string BaseUrl() const { return "http://127.0.0.1:" + std::to_string(sim_->port()); }
  std::string CallsPath(const std::string& account = kAccountSid) const {
    return "/2010-04-01/Accounts/" + account + "/Calls";
  }

  RestResult Send(const std::string& method, const std::string& path,
                  const http::FormParams& form = {}, const std::string& user = kAccountSid,
                  const std::string& password = kAuthToken) {
    http::ClientRequest request;
    request.method = method;
    request.url = BaseUrl() + path;
    if (!form.empty() || method == "POST") {
      request.body = http::EncodeForm(form);
      request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    }
    request.basic_user = user;
    request.basic_password = password;
    auto response = client_.Send(request);
    EXPECT_TRUE(response.ok()) << response.status();
    RestResult result;
    if (!response.ok()) return result;
    result.status = response->status;
    result.body = nlohmann::json::parse(response->body, nullptr, false);
    return result;
  }

  // Creates a call to `to` with a Url, plus `extra` params.
  RestResult Create(const std::string& to, const http::FormParams& extra = {}) {
    http::FormParams form = {{"To", to}, {"From", kFrom}, {"Url", "https://voice.example.com/t"}};
    form.insert(form.end(), extra.begin(), extra.end());
    return Send("POST", CallsPath() + ".json", form);
  }

  // Creates a call reporting to `status_callback` with every event subscribed; returns its sid.
  std::string CreateSubscribed(const std::string& to, const std::string& status_callback,
                               const std::string& method = "POST") {
    RestResult r = Create(to, {{"StatusCallback", status_callback},
                               {"StatusCallbackMethod", method},
                               {"StatusCallbackEvent", "initiated"},
                               {"StatusCallbackEvent", "ringing"},
                               {"StatusCallbackEvent", "answered"},
                               {"StatusCallbackEvent", "completed"}});
    EXPECT_EQ(r.status, 201) << r.body.dump();
    return r.body.value("sid", "");
  }

  RestResult Update(const std::string& sid, const http::FormParams& form) {
    return Send("POST", CallsPath() + "/" + sid + ".json", form);
  }
  RestResult Fetch(const std::string& sid) {
    return Send("GET", CallsPath() + "/" + sid + ".json");
  }

  nlohmann::json Inspect(const std::string& path) {
    http::ClientRequest request;
    request.url = BaseUrl() + path;
    auto response = client_.Send(request);
    EXPECT_TRUE(response.ok()) << response.status();
    if (!response.ok()) return nullptr;
    return nlohmann::json::parse(response->body, nullptr, false);
  }
  nlohmann::json InspectCall(const std::string& sid) { return Inspect("/sim/calls/" + sid); }

  ::testing::AssertionResult WaitForPhase(const std::string& sid, const std::string& phase) {
    return WaitFor([&] { return InspectCall(sid).value("phase", "") == phase; },
                   std::chrono::seconds(5), "call " + sid + " phase " + phase);
  }

  std::unique_ptr<SimServer> sim_;
  http::HttpClient client_;
};

}  // namespace callcontrol::provider_sim::testing
