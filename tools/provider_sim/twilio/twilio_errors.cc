#include "tools/provider_sim/twilio/twilio_errors.h"

#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "nlohmann/json.hpp"

namespace callcontrol::provider_sim {
namespace {

// Payload key under which the Twilio code travels.
constexpr char kTwilioCodeUrl[] = "https://www.twilio.com/docs/errors";

}  // namespace

absl::Status TwilioError(absl::StatusCode code, int twilio_code, std::string message) {
  absl::Status status(code, message);
  status.SetPayload(kTwilioCodeUrl, absl::Cord(std::to_string(twilio_code)));
  return status;
}

int TwilioErrorCode(const absl::Status& status) {
  if (status.ok()) return 0;
  const auto payload = status.GetPayload(kTwilioCodeUrl);
  int code = 0;
  if (payload.has_value() && absl::SimpleAtoi(std::string(*payload), &code)) return code;
  return 20001;
}

int HttpStatusFor(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kOk:
      return 200;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kFailedPrecondition:
      return 400;
    case absl::StatusCode::kUnauthenticated:
      return 401;
    case absl::StatusCode::kPermissionDenied:
      return 403;
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kUnimplemented:
      return 405;
    default:
      return 500;
  }
}

std::string TwilioErrorJson(const absl::Status& status) {
  const int code = TwilioErrorCode(status);
  nlohmann::json body = {
      {"code", code},
      {"message", std::string(status.message())},
      {"more_info", std::string(kTwilioCodeUrl) + "/" + std::to_string(code)},
      {"status", HttpStatusFor(status)},
  };
  return body.dump();
}

}  // namespace callcontrol::provider_sim
