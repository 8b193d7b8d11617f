// Twilio Programmable Voice REST client used by the daemon's provider workers
// (https://www.twilio.com/docs/voice/api/call-resource). Blocking: call it from a provider worker,
// never from a gRPC thread. Thread-safe: each thread keeps its own keep-alive connection.
//
// Errors: kUnavailable when Twilio cannot be reached or answers 5xx/429 (retryable);
// kFailedPrecondition when Twilio refuses the request (4xx), with "twilio error <code>:
// <message> (HTTP <status>)" as the message and the Twilio error code in TwilioErrorCode().
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "providers/twilio/twilio_account.h"

namespace callcontrol::providers {

// The fields of a Twilio Call resource the daemon uses.
struct TwilioCall {
  std::string sid;     // CallSid
  std::string status;  // Twilio's word: queued, ringing, in-progress, completed, canceled...
  int64_t duration_seconds = -1;  // `duration`; -1 while null
};

struct TwilioCreateCall {
  std::string to;
  std::string from;
  std::string twiml;
  // Where Twilio posts status callbacks (StatusCallbackEvent initiated, ringing, answered,
  // completed; one repeated form parameter per event, or Twilio sends none).
  std::string status_callback;
  // Have Twilio record the call (`Record=true`). When `recording_status_callback` is also set,
  // Twilio posts the recording status callback there once the recording is complete
  // (RecordingStatusCallbackMethod POST, RecordingStatusCallbackEvent completed).
  bool record = false;
  std::string recording_status_callback;
};

class TwilioClient {
 public:
  struct Options {
    std::chrono::milliseconds connect_timeout{3000};
    std::chrono::milliseconds timeout{15000};
  };
  explicit TwilioClient(const Options& options) : options_(options) {}

  // POST /2010-04-01/Accounts/{AccountSid}/Calls.json. Not retried here: Twilio's create is not
  // idempotent, so a request that may have reached Twilio must not be sent twice.
  absl::StatusOr<TwilioCall> CreateCall(const twilio::TwilioAccount& account,
                                        const TwilioCreateCall& request) const;

  // POST /2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}.json with Status=`status`
  // ("completed" hangs up an answered call; "canceled" ends a queued or ringing one and does
  // nothing to an answered call). Idempotent, so the caller may retry kUnavailable.
  absl::StatusOr<TwilioCall> UpdateCallStatus(const twilio::TwilioAccount& account,
                                              std::string_view call_sid,
                                              std::string_view status) const;

 private:
  const Options options_;
};

// Twilio's error code carried by a kFailedPrecondition from TwilioClient, or 0.
int TwilioErrorCode(const absl::Status& status);

// Twilio error 21220: "Call is not in-progress. Cannot redirect." (the call already ended).
inline constexpr int kTwilioCallNotInProgress = 21220;

}  // namespace callcontrol::providers
