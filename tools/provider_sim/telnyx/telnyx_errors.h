// Telnyx API v2 errors for the simulator: an absl::Status carrying Telnyx's error code (a
// string, e.g. "90018"), title and optional source pointer, rendered as Telnyx's error JSON
// {"errors":[{"code","title","detail","source":{"pointer"}}]}.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace callcontrol::provider_sim {

// A status with `code` and Telnyx's error fields attached; the status message is the error's
// `detail` ("" leaves detail out). `pointer` ("/to") names the offending body field, or "".
// The HTTP status is derived from `code`, see TelnyxHttpStatusFor.
absl::Status TelnyxError(absl::StatusCode code, std::string_view telnyx_code,
                         std::string_view title, std::string detail, std::string_view pointer = {});

// HTTP status for a Telnyx error: kInvalidArgument/kFailedPrecondition 422, kUnauthenticated
// 401, kPermissionDenied 403, kNotFound 404, kUnimplemented 405, kResourceExhausted 429, else
// 500. A status built with TelnyxBadRequest answers 400.
int TelnyxHttpStatusFor(const absl::Status& status);

// A body that is not JSON (or not a JSON object): HTTP 400, code 10015 "Bad Request".
absl::Status TelnyxBadRequest(std::string detail);

// The Telnyx error body for a non-OK status. A status without Telnyx fields becomes code
// "10007" "Unexpected error" with the status message as detail.
std::string TelnyxErrorJson(const absl::Status& status);

// The Telnyx code attached by TelnyxError ("" for OK, "10007" when none is attached).
std::string TelnyxErrorCode(const absl::Status& status);

}  // namespace callcontrol::provider_sim
