// Twilio REST errors for the simulator: an absl::Status carrying Twilio's numeric error code,
// rendered as Twilio's legacy error JSON {"code","message","more_info","status"}.
#pragma once

#include <string>

#include "absl/status/status.h"

namespace callcontrol::provider_sim {

// A status with `code` and Twilio error `twilio_code` attached (e.g. 21220). The HTTP status is
// derived from `code`, see HttpStatusFor.
absl::Status TwilioError(absl::StatusCode code, int twilio_code, std::string message);

// The Twilio code attached by TwilioError; 20001 ("Bad request") for a status without one, 0
// for OK.
int TwilioErrorCode(const absl::Status& status);

// HTTP status for a non-OK status: kInvalidArgument/kFailedPrecondition 400,
// kUnauthenticated 401, kPermissionDenied 403, kNotFound 404, kUnimplemented 405, else 500.
int HttpStatusFor(const absl::Status& status);

// Twilio's legacy error body, e.g. {"code": 21220, "message": "...", "more_info":
// "https://www.twilio.com/docs/errors/21220", "status": 400}.
std::string TwilioErrorJson(const absl::Status& status);

}  // namespace callcontrol::provider_sim
