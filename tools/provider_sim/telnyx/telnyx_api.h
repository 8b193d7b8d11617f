// The simulator's subset of Telnyx's Call Control API v2 (dial, hangup, retrieve a call) with
// Bearer API-key auth, JSON bodies and Telnyx's error JSON, plus the simulator-only controls for
// the WebRTC + PSTN pair. SimServer routes `/v2/...` and the POST `/sim/telnyx/...` requests
// here.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/http/http_server.h"
#include "nlohmann/json.hpp"
#include "tools/provider_sim/telnyx/telnyx_engine.h"

namespace callcontrol::provider_sim {

// The accepted API key when none is configured (--telnyx-api-key).
inline constexpr char kDefaultTelnyxApiKey[] = "KEYsim0000000000000000000000000001";

// The `data` of GET /v2/calls/{call_control_id}: call_control_id, call_leg_id, call_session_id,
// is_alive, call_duration (simulated seconds since answer, 0 if never answered), record_type
// "call", start_time, and end_time once the leg has hung up.
nlohmann::ordered_json TelnyxCallJson(const TelnyxCallView& view);

// The ids of one leg: call_control_id, call_leg_id, call_session_id, is_alive, record_type.
nlohmann::ordered_json TelnyxLegIdsJson(const TelnyxCallView& view);

// Serves, with `Authorization: Bearer <key>`:
//   POST /v2/calls                                         dial
//   POST /v2/calls/{call_control_id}/actions/hangup        hang up
//   GET  /v2/calls/{call_control_id}                       retrieve the call status
// and, without auth (SimServer allows them on loopback only):
//   POST /sim/telnyx/webrtc_calls                          start the WebRTC + PSTN pair
//   POST /sim/telnyx/calls/{call_control_id}/sdk_hangup    the WebRTC SDK hangs up
// Thread-safe.
class TelnyxApi {
 public:
  // `engine` must outlive this object. `api_keys` must not be empty.
  TelnyxApi(std::vector<std::string> api_keys, TelnyxEngine* engine);

  // Answers one /v2 request. 401 code 10009 for a missing or unknown key; 404 code 10005 for an
  // unknown path; 405 for a wrong method; other errors as documented on TelnyxEngine and in
  // tools/provider_sim/README.md.
  http::Response Handle(const http::Request& request);

  // Answers one POST /sim/telnyx/... control request. Errors are {"error": "..."} with 400
  // (bad body), 404 (unknown path or leg), 405, 409 (the leg has ended).
  http::Response HandleSimControl(const http::Request& request);

 private:
  bool Authenticated(const http::Request& request) const;
  http::Response Dial(const http::Request& request);
  http::Response Hangup(const std::string& call_control_id, const http::Request& request);
  http::Response StartWebRtcCall(const http::Request& request);

  const std::vector<std::string> api_keys_;
  TelnyxEngine* const engine_;
};

}  // namespace callcontrol::provider_sim
