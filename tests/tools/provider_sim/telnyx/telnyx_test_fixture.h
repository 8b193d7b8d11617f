// Test helpers for provider-sim's Telnyx side: Bearer JSON requests to the in-process simulator,
// the Telnyx webhooks a CallbackReceiver got (parsed), and inspection waits.
#pragma once

#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "providers/telnyx/telnyx_signature.h"
#include "tests/tools/provider_sim/sim_test_fixture.h"
#include "tools/provider_sim/telnyx/telnyx_api.h"
#include "tools/provider_sim/telnyx/telnyx_sim_provider.h"

namespace callcontrol::provider_sim::testing {

inline constexpr char kTelnyxFrom[] = "+15017122661";
inline constexpr char kConnectionId[] = "7267xxxxxxxxxxxxxx";
inline constexpr char kClientState[] = "aGF2ZSBhIG5pY2UgZGF5ID1d";

// One Telnyx webhook as received: its parsed body plus what is needed to verify it.
struct TelnyxWebhook {
  nlohmann::json json;
  std::string body;  // raw
  std::string timestamp;
  std::string signature;
  std::string content_type;

  std::string event_type() const { return json["data"].value("event_type", ""); }
  std::string id() const { return json["data"].value("id", ""); }
  const nlohmann::json& payload() const { return json["data"]["payload"]; }
  std::string call_control_id() const { return payload().value("call_control_id", ""); }
  int attempt() const { return json["meta"].value("attempt", 0); }
};

inline std::vector<TelnyxWebhook> TelnyxWebhooks(const CallbackReceiver& receiver) {
  std::vector<TelnyxWebhook> out;
  for (const ReceivedCallback& r : receiver.Received()) {
    TelnyxWebhook w;
    w.body = r.body;
    w.json = nlohmann::json::parse(r.body, nullptr, false);
    w.timestamp = r.Header("telnyx-timestamp");
    w.signature = r.Header("telnyx-signature-ed25519");
    w.content_type = r.Header("content-type");
    out.push_back(std::move(w));
  }
  return out;
}

// "call.initiated@<leg tag>" labels, for order checks across legs.
inline std::vector<std::string> EventTypes(const std::vector<TelnyxWebhook>& webhooks) {
  std::vector<std::string> out;
  for (const TelnyxWebhook& w : webhooks) out.push_back(w.event_type());
  return out;
}

class TelnyxSimTest : public SimTest {
 protected:
  // The key that verifies the simulator's Telnyx webhooks.
  const std::string& TelnyxPublicKey() const {
    return sim_->provider<TelnyxSimProvider>()->public_key();
  }

  RestResult TelnyxSend(const std::string& method, const std::string& path,
                        const std::string& body = "",
                        const std::string& key = kDefaultTelnyxApiKey) {
    http::ClientRequest request;
    request.method = method;
    request.url = BaseUrl() + path;
    request.body = body;
    if (!body.empty()) request.headers.emplace_back("Content-Type", "application/json");
    if (!key.empty()) request.headers.emplace_back("Authorization", "Bearer " + key);
    auto response = client_.Send(request);
    EXPECT_TRUE(response.ok()) << response.status();
    RestResult result;
    if (!response.ok()) return result;
    result.status = response->status;
    result.body = nlohmann::json::parse(response->body, nullptr, false);
    return result;
  }

  // POST /v2/calls to `to` reporting to `webhook_url`, with `extra` fields merged in.
  RestResult Dial(const std::string& to, const std::string& webhook_url,
                  const nlohmann::json& extra = nlohmann::json::object()) {
    nlohmann::json body = {{"connection_id", kConnectionId},
                           {"to", to},
                           {"from", kTelnyxFrom},
                           {"webhook_url", webhook_url}};
    body.update(extra);
    return TelnyxSend("POST", "/v2/calls", body.dump());
  }

  // Dials and returns the call_control_id (expects 200).
  std::string DialId(const std::string& to, const std::string& webhook_url,
                     const nlohmann::json& extra = nlohmann::json::object()) {
    const RestResult r = Dial(to, webhook_url, extra);
    EXPECT_EQ(r.status, 200) << r.body.dump();
    if (!r.body.is_object() || !r.body.contains("data")) return "";
    return r.body["data"].value("call_control_id", "");
  }

  RestResult Hangup(const std::string& call_control_id,
                    const nlohmann::json& body = nlohmann::json::object()) {
    return TelnyxSend("POST", "/v2/calls/" + call_control_id + "/actions/hangup", body.dump());
  }

  RestResult Retrieve(const std::string& call_control_id) {
    return TelnyxSend("GET", "/v2/calls/" + call_control_id);
  }

  // POST to a /sim endpoint (no auth).
  RestResult SimPost(const std::string& path, const nlohmann::json& body) {
    return TelnyxSend("POST", path, body.dump(), /*key=*/"");
  }

  nlohmann::json InspectTelnyx(const std::string& call_control_id) {
    return Inspect("/sim/telnyx/calls/" + call_control_id);
  }

  ::testing::AssertionResult WaitForState(const std::string& call_control_id,
                                          const std::string& state) {
    return WaitFor([&] { return InspectTelnyx(call_control_id).value("state", "") == state; },
                   std::chrono::seconds(5), "telnyx call " + call_control_id + " state " + state);
  }

  // Checks a webhook's signature against the simulator's public key.
  ::testing::AssertionResult Verified(const TelnyxWebhook& w) {
    const absl::Status s = telnyx::VerifyWebhookSignature(
        TelnyxPublicKey(), w.timestamp, w.body, w.signature, absl::Now(), absl::Minutes(5));
    if (s.ok()) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << s << " for " << w.body;
  }
};

}  // namespace callcontrol::provider_sim::testing
