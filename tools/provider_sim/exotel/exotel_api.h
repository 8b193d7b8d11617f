// The simulator's subset of Exotel's Voice v1 API (Connect a call, call details) with HTTP Basic
// API key:token auth, form bodies, JSON answers and Exotel's RestException error JSON, plus the
// /sim/exotel/status_callbacks control that sends one callback with any Status word. SimServer
// routes `/v1/...` and POST `/sim/exotel/...` here.
#pragma once

#include <string>
#include <vector>

#include "common/http/http_server.h"
#include "nlohmann/json.hpp"
#include "tools/provider_sim/exotel/exotel_engine.h"

namespace callcontrol::provider_sim {

// {"Call":{Sid, ParentCallSid null, DateCreated, DateUpdated, AccountSid, To, From,
// PhoneNumberSid (the CallerId), Status, StartTime, EndTime (null until ended), Duration (whole
// seconds of conversation, null until ended), Price (null until ended, then e.g. "2.400"),
// Direction "outbound-api", AnsweredBy null, ForwardedFrom "", CallerName "", Uri
// "/v1/Accounts/<sid>/Calls/<CallSid>.json", RecordingUrl (null unless recorded)}}.
nlohmann::ordered_json ExotelCallJson(const ExotelCall& call);

// Serves, with HTTP Basic api_key:api_token of the path's account:
//   POST /v1/Accounts/{AccountSid}/Calls/connect[.json]       connect (always answers JSON)
//   GET  /v1/Accounts/{AccountSid}/Calls/{CallSid}[.json]     call details
// and, without auth (SimServer allows it on loopback only):
//   POST /sim/exotel/status_callbacks                         send one callback, any Status
// Thread-safe.
class ExotelApi {
 public:
  // `engine` must outlive this object. `accounts` must not be empty.
  ExotelApi(std::vector<ExotelAccount> accounts, ExotelEngine* engine);

  // Answers one /v1 request. Errors are {"RestException":{"Status","Message","Code"}}: 401
  // UNAUTHORIZED (missing/wrong credentials, or credentials of another account), 400
  // BAD_REQUEST (missing or invalid parameters), 404 NOT_FOUND, 405 METHOD_NOT_ALLOWED.
  http::Response Handle(const http::Request& request);

  // Answers one POST /sim/exotel/... request, once the callback has been answered (or failed):
  // 200 {"http_status", "error", "call_sid", "content_type", "body"}; 400 {"error"} for a bad
  // request body; 404 for an unknown path.
  void HandleSimControl(const http::Request& request, http::Responder respond);

 private:
  const ExotelAccount* Authenticate(const http::Request& request) const;
  http::Response Connect(const ExotelAccount& account, const http::Request& request);

  const std::vector<ExotelAccount> accounts_;
  ExotelEngine* const engine_;
};

}  // namespace callcontrol::provider_sim
