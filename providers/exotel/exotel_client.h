// Exotel Voice v1 Connect API client used by the daemon's provider workers: calls a number and
// connects it to a call flow (https://developer.exotel.com/api/make-a-call-api). Blocking: call it
// from a provider worker, never from a gRPC thread. Thread-safe: each thread keeps its own
// keep-alive connection.
//
// Errors: kUnavailable when Exotel cannot be reached, times out, or answers 5xx/429;
// kFailedPrecondition when Exotel refuses the request (other 4xx), with "exotel error <code>:
// <message> (HTTP <status>)" as the message and a numeric Exotel code in ExotelErrorCode(). Nothing
// is retried inside the client (Connect is not idempotent); the API key and token are never logged
// nor put in a message.
#pragma once

#include <chrono>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "providers/exotel/exotel_account.h"

namespace callcontrol::providers {

// The fields of Exotel's Call resource (`{"Call":{...}}`) the daemon uses.
struct ExotelCall {
  std::string sid;     // Call.Sid, e.g. "b6cfaf5e2d1f4f8a9b0c1d2e3f4a5b6c"
  std::string status;  // Call.Status: queued, in-progress, completed, failed, busy, no-answer
};

// One outbound call connected to the account's flow (`POST .../Calls/connect`, `Url` variant).
struct ExotelConnect {
  // The number dialled first, Exotel `From`: E.164 ("+919876543210") or national
  // ("09876543210").
  std::string from;
  // Exotel `StatusCallback`: where Exotel posts the call's `answered` and `terminal` events
  // ("" = no callback and no StatusCallbackEvents sent).
  std::string status_callback;
  // Exotel `CustomField`, echoed in the terminal callback ("" = not sent).
  std::string custom_field;
  bool record = true;  // Exotel `Record` ("true" | "false")
};

// Places calls through Exotel's Connect API. Stateless apart from its options; one instance can
// be shared by all worker threads.
class ExotelClient {
 public:
  struct Options {
    // TCP (and TLS) connect limit.
    std::chrono::milliseconds connect_timeout{3000};
    // Whole request, connect included; past it the call returns kUnavailable.
    std::chrono::milliseconds timeout{15000};
  };
  explicit ExotelClient(const Options& options);

  // POST {api_base_url}/v1/Accounts/{account_sid}/Calls/connect.json with HTTP Basic
  // api_key:api_token and the form (in this order) From, CallerId=account.caller_id,
  // Url=account.flow_url, StatusCallback, StatusCallbackEvents[0]=terminal,
  // StatusCallbackEvents[1]=answered, CustomField, Record=true|false. StatusCallback and its
  // events are left out when `status_callback` is empty, CustomField when `custom_field` is.
  // Returns Call.Sid and Call.Status of the 2xx body.
  // Errors: kInvalidArgument (nothing sent) when `from`, account_sid, caller_id or flow_url is
  // empty; kUnavailable (unreachable, timeout, 5xx, 429); kFailedPrecondition (other 4xx, code
  // in ExotelErrorCode()); kInternal for a 2xx whose body lacks Call.Sid. Not retried: a request
  // that may have reached Exotel must not be sent twice blindly.
  absl::StatusOr<ExotelCall> Connect(const exotel::ExotelAccount& account,
                                     const ExotelConnect& request) const;

 private:
  const Options options_;
};

// Exotel's numeric error code carried by a kFailedPrecondition from ExotelClient (from the body
// `{"RestException":{"Status":400,"Code":...,"Message":"..."}}`, Code as a number or a numeric
// string), or 0 (other statuses, no body, or a non-numeric Code such as "UNAUTHORIZED", which
// still appears in the message).
int ExotelErrorCode(const absl::Status& status);

}  // namespace callcontrol::providers
