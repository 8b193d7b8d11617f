// The simulator's subset of Twilio's REST API (2010-04-01): create, fetch, update and delete a
// Call, with HTTP Basic auth, form bodies, Call-resource JSON and Twilio's legacy error JSON.
// SimServer routes every `/2010-04-01/...` request here.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "common/http/http_server.h"
#include "nlohmann/json.hpp"
#include "tools/provider_sim/twilio/twilio_engine.h"

namespace callcontrol::provider_sim {

// A Twilio account the simulator accepts: AccountSid ("AC" + 32 hex) and its auth token.
struct TwilioAccount {
  std::string account_sid;
  std::string auth_token;
};

// The default account when none is configured.
inline constexpr char kDefaultAccountSid[] = "AC00000000000000000000000000000001";
inline constexpr char kDefaultAuthToken[] = "sim-auth-token";

// Parses "SID:TOKEN" (--twilio-account). Returns kInvalidArgument unless SID is "AC" + 32 hex
// digits and TOKEN is not empty.
absl::StatusOr<TwilioAccount> ParseTwilioAccount(std::string_view spec);

// The Call resource as Twilio renders it (the keys of
// https://www.twilio.com/docs/voice/api/call-resource; times in
// RFC 2822, `duration` a string of seconds or null until the call ends, `price` null).
nlohmann::json CallResourceJson(const SimCall& call);

// Serves /2010-04-01/Accounts/{AccountSid}/Calls.json (POST) and
// /2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}.json (GET, POST, DELETE). Thread-safe.
class TwilioApi {
 public:
  // `engine` must outlive this object.
  TwilioApi(std::vector<TwilioAccount> accounts, CallEngine* engine);

  // Answers one request. Auth failures: 401 code 20003 (missing or wrong credentials), 403 code
  // 20003 (the path's AccountSid is not the authenticated one). Unknown paths 404 code 20404.
  http::Response Handle(const http::Request& request);

 private:
  // The account whose credentials the request carries, or kUnauthenticated.
  absl::StatusOr<const TwilioAccount*> Authenticate(const http::Request& request) const;
  http::Response CreateCall(const TwilioAccount& account, const http::Request& request);
  http::Response UpdateCall(const TwilioAccount& account, const std::string& call_sid,
                            const http::Request& request);

  const std::vector<TwilioAccount> accounts_;
  CallEngine* const engine_;
};

}  // namespace callcontrol::provider_sim
