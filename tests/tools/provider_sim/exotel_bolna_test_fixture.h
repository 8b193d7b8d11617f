// Test helpers for provider-sim's Exotel and Bolna sides: an in-process simulator with two Exotel
// accounts, Basic-auth form requests to the Exotel API, JSON posts to the /sim controls, and the
// names and keys a webhook's shape is compared with the fixtures' by.
#pragma once

#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "tests/tools/provider_sim/sim_test_fixture.h"
#include "tools/provider_sim/exotel/exotel_engine.h"
#include "tools/provider_sim/exotel/exotel_sim_provider.h"

namespace callcontrol::provider_sim::testing {

inline constexpr char kExotelSid[] = "exotelsim1";
inline constexpr char kExotelKey[] = "simkey";
inline constexpr char kExotelToken[] = "simtoken";
inline constexpr char kOtherExotelSid[] = "othersid";
inline constexpr char kOtherExotelKey[] = "otherkey";
inline constexpr char kOtherExotelToken[] = "othertoken";
inline constexpr char kExoPhone[] = "08033333333";
inline constexpr char kFlowUrl[] = "http://my.exotel.com/exotelsim1/exoml/start_voice/12345";

// The names of a form body, in order.
inline std::vector<std::string> ParamNames(const http::FormParams& params) {
  std::vector<std::string> names;
  for (const auto& [name, value] : params) names.push_back(name);
  return names;
}

// The keys of a JSON object, in order (parse with nlohmann::ordered_json to keep it).
inline std::vector<std::string> Keys(const nlohmann::ordered_json& object) {
  std::vector<std::string> keys;
  for (auto it = object.begin(); it != object.end(); ++it) keys.push_back(it.key());
  return keys;
}

// Starts a simulator (time scale 0.05 unless told) that accepts the default Exotel account and
// a second one.
class ExotelBolnaSimTest : public SimTest {
 protected:
  void SetUp() override { StartExotelSim(0.05); }

  void StartExotelSim(double time_scale, int retries = 3) {
    sim_.reset();
    SimServer::Options options;
    options.listen = "127.0.0.1:0";
    options.time_scale = time_scale;
    options.webhook_retries = retries;
    options.Provider<ExotelSimProvider>().options().accounts = {
        {kExotelSid, kExotelKey, kExotelToken},
        {kOtherExotelSid, kOtherExotelKey, kOtherExotelToken}};
    auto sim = SimServer::Start(std::move(options));
    ASSERT_TRUE(sim.ok()) << sim.status();
    sim_ = *std::move(sim);
  }

  // A form request to the Exotel API with Basic `key`:`token` ("" sends no credentials).
  RestResult ExotelSend(const std::string& method, const std::string& path,
                        const http::FormParams& form = {}, const std::string& key = kExotelKey,
                        const std::string& token = kExotelToken) {
    return Send(method, path, form, key, token);
  }

  std::string ConnectPath(const std::string& account = kExotelSid, bool json = true) const {
    return "/v1/Accounts/" + account + "/Calls/connect" + (json ? ".json" : "");
  }

  // Connects From=`from` to the call flow, reporting to `callback` with both events
  // subscribed, plus `extra` params.
  RestResult Connect(const std::string& from, const std::string& callback,
                     const http::FormParams& extra = {}) {
    http::FormParams form = {{"From", from}, {"CallerId", kExoPhone}, {"Url", kFlowUrl}};
    if (!callback.empty()) {
      form.insert(form.end(), {{"StatusCallback", callback},
                               {"StatusCallbackEvents[0]", "terminal"},
                               {"StatusCallbackEvents[1]", "answered"}});
    }
    form.insert(form.end(), extra.begin(), extra.end());
    return ExotelSend("POST", ConnectPath(), form);
  }

  // Connects and returns Call.Sid (expects 200).
  std::string ConnectSid(const std::string& from, const std::string& callback,
                         const http::FormParams& extra = {}) {
    const RestResult r = Connect(from, callback, extra);
    EXPECT_EQ(r.status, 200) << r.body.dump();
    if (!r.body.is_object() || !r.body.contains("Call")) return "";
    return r.body["Call"].value("Sid", "");
  }

  // POST of a JSON body to the simulator (no auth).
  RestResult PostJson(const std::string& path, const nlohmann::json& body) {
    http::ClientRequest request;
    request.method = "POST";
    request.url = BaseUrl() + path;
    request.body = body.dump();
    request.headers.emplace_back("Content-Type", "application/json");
    auto response = client_.Send(request);
    EXPECT_TRUE(response.ok()) << response.status();
    RestResult result;
    if (!response.ok()) return result;
    result.status = response->status;
    result.body = nlohmann::json::parse(response->body, nullptr, false);
    return result;
  }

  // Starts a Bolna execution to `to` and returns its id (expects 200).
  std::string StartExecution(const std::string& to, const std::string& webhook_url,
                             const nlohmann::json& extra = nlohmann::json::object()) {
    nlohmann::json body = {{"to", to}, {"from", "+918035735900"}, {"webhook_url", webhook_url}};
    body.update(extra);
    const RestResult r = PostJson("/sim/bolna/executions", body);
    EXPECT_EQ(r.status, 200) << r.body.dump();
    return r.body.is_object() ? r.body.value("execution_id", "") : "";
  }
};

}  // namespace callcontrol::provider_sim::testing
