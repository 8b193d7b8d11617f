// Telnyx Call Control (v2) REST client used by the daemon's provider workers: dial and hang up
// (https://developers.telnyx.com/docs/voice/programmable-voice/sending-commands,
// https://developers.telnyx.com/api/call-control/dial-call,
// https://developers.telnyx.com/api/call-control/hangup-call). Blocking: call it from a provider
// worker, never from a gRPC thread. Thread-safe: each thread keeps its own keep-alive connection.
//
// Errors: kUnavailable when Telnyx cannot be reached, times out, or answers 5xx/429 (retryable
// with the same command_id); kFailedPrecondition when Telnyx refuses the request (other 4xx),
// with "telnyx error <code>: <title>: <detail> (HTTP <status>)" as the message and the Telnyx
// error code in TelnyxErrorCode(). Nothing is retried inside the client; the API key is never
// logged nor put in a message.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "providers/telnyx/telnyx_account.h"

namespace callcontrol::providers {

// The three ids Telnyx gives a call leg (telnyx-python `call_dial_response.py`).
struct TelnyxCallIds {
  // Addresses commands to this leg, e.g.
  // "v3:MdI91X4lWFEs7IgbBEOT9M4AigoY08M0WWZFISt1Yw2axZ_IiE4pqg".
  std::string call_control_id;
  // This leg (UUID).
  std::string call_leg_id;
  // Groups the legs of one logical call (UUID).
  std::string call_session_id;
};

// One outbound call (`POST /v2/calls`, telnyx-python `call_dial_params.py`).
struct TelnyxDial {
  std::string to, from;     // E.164, e.g. "+13129457420"
  std::string webhook_url;  // where Telnyx sends this call's webhooks ("" = the connection's URL)
  // Idempotency key (Telnyx ignores a repeat within 60 s); "" = not sent.
  std::string command_id;
  // Opaque bytes echoed (base64) in every webhook of the call; the client base64-encodes them.
  // "" = none.
  std::string client_state;
  int timeout_secs = 30;  // ring timeout, seconds
};

// Places and ends calls through Telnyx Call Control. Stateless apart from its options; one
// instance can be shared by all worker threads.
class TelnyxClient {
 public:
  struct Options {
    // TCP (and TLS) connect limit.
    std::chrono::milliseconds connect_timeout{3000};
    // Whole request, connect included; past it the call returns kUnavailable.
    std::chrono::milliseconds timeout{15000};
  };
  explicit TelnyxClient(const Options& options);

  // POST {api_base_url}/v2/calls with `Authorization: Bearer <api_key>` and the JSON body
  // {connection_id, to, from, webhook_url, webhook_url_method:"POST", command_id,
  // client_state (base64), timeout_secs}; webhook_url(+method), command_id and client_state are
  // left out when empty. Returns the ids of the new leg from the 2xx body's `data`.
  // Errors: kUnavailable (unreachable, timeout, 5xx, 429), kFailedPrecondition (other 4xx, code
  // in TelnyxErrorCode()), kInternal for a 2xx whose body lacks data.call_control_id.
  absl::StatusOr<TelnyxCallIds> Dial(const telnyx::TelnyxAccount& account,
                                     const TelnyxDial& request) const;

  // POST {api_base_url}/v2/calls/{call_control_id}/actions/hangup with the JSON body
  // {command_id} ({} when `command_id` is empty). `call_control_id` is percent-encoded as one
  // path segment (RFC 3986 unreserved characters and ':' are kept, so "v3:..." is sent as is).
  // OK when Telnyx answered 2xx, or HTTP 422 with error code 90018 "Call has already ended"; in
  // the latter case *already_ended is set to true (false otherwise) when `already_ended` is given.
  // Errors: kInvalidArgument for an empty `call_control_id`; otherwise as Dial.
  absl::Status Hangup(const telnyx::TelnyxAccount& account, std::string_view call_control_id,
                      std::string_view command_id, bool* already_ended = nullptr) const;

 private:
  const Options options_;
};

// Telnyx's error code (e.g. 90018, 10009) carried by a kFailedPrecondition from TelnyxClient, or
// 0 (other statuses, or a refusal without a numeric code). Telnyx sends codes as JSON strings.
int TelnyxErrorCode(const absl::Status& status);

// Telnyx error 90018 "Call has already ended" (HTTP 422 on a command to a finished call).
inline constexpr int kTelnyxCallAlreadyEnded = 90018;

}  // namespace callcontrol::providers
