#include "tools/provider_sim/telnyx/telnyx_errors.h"

#include <optional>
#include <utility>

#include "absl/strings/cord.h"
#include "nlohmann/json.hpp"

namespace callcontrol::provider_sim {
namespace {

// Payload keys under which the Telnyx fields travel.
constexpr char kCodeKey[] = "https://developers.telnyx.com/errors#code";
constexpr char kTitleKey[] = "https://developers.telnyx.com/errors#title";
constexpr char kPointerKey[] = "https://developers.telnyx.com/errors#pointer";
constexpr char kHttp400Key[] = "https://developers.telnyx.com/errors#http400";

std::optional<std::string> Payload(const absl::Status& status, const char* key) {
  const auto payload = status.GetPayload(key);
  if (!payload.has_value()) return std::nullopt;
  return std::string(*payload);
}

}  // namespace

absl::Status TelnyxError(absl::StatusCode code, std::string_view telnyx_code,
                         std::string_view title, std::string detail, std::string_view pointer) {
  absl::Status status(code, detail);
  status.SetPayload(kCodeKey, absl::Cord(std::string(telnyx_code)));
  status.SetPayload(kTitleKey, absl::Cord(std::string(title)));
  if (!pointer.empty()) status.SetPayload(kPointerKey, absl::Cord(std::string(pointer)));
  return status;
}

absl::Status TelnyxBadRequest(std::string detail) {
  absl::Status status =
      TelnyxError(absl::StatusCode::kInvalidArgument, "10015", "Bad Request", std::move(detail));
  status.SetPayload(kHttp400Key, absl::Cord("1"));
  return status;
}

int TelnyxHttpStatusFor(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kOk:
      return 200;
    case absl::StatusCode::kInvalidArgument:
      return status.GetPayload(kHttp400Key).has_value() ? 400 : 422;
    case absl::StatusCode::kFailedPrecondition:
      return 422;
    case absl::StatusCode::kUnauthenticated:
      return 401;
    case absl::StatusCode::kPermissionDenied:
      return 403;
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kUnimplemented:
      return 405;
    case absl::StatusCode::kResourceExhausted:
      return 429;
    default:
      return 500;
  }
}

std::string TelnyxErrorCode(const absl::Status& status) {
  if (status.ok()) return "";
  return Payload(status, kCodeKey).value_or("10007");
}

std::string TelnyxErrorJson(const absl::Status& status) {
  nlohmann::ordered_json error;
  const std::optional<std::string> code = Payload(status, kCodeKey);
  error["code"] = code.value_or("10007");
  error["title"] = Payload(status, kTitleKey).value_or("Unexpected error");
  if (!status.message().empty()) error["detail"] = std::string(status.message());
  if (const auto pointer = Payload(status, kPointerKey)) {
    error["source"] = {{"pointer", *pointer}};
  }
  nlohmann::ordered_json body;
  body["errors"] = nlohmann::ordered_json::array({std::move(error)});
  return body.dump();
}

}  // namespace callcontrol::provider_sim
