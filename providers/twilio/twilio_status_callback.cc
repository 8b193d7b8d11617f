#include "providers/twilio/twilio_status_callback.h"

#include <cstdint>
#include <limits>
#include <memory>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/time/time.h"
#include "common/logging.h"
#include "common/proto/timestamp.h"
#include "providers/twilio/twilio_status.h"
#include "providers/twilio/twilio_time.h"

namespace callcontrol::twilio {
namespace {

constexpr size_t kCallSidLength = 34;

// Reads the optional non-negative decimal field `name` into `out` (left as is when the field is
// absent or empty). Returns kInvalidArgument if it is anything else or exceeds `max`.
absl::Status ReadCount(const http::FormParams& form, std::string_view name, int64_t max,
                       int64_t* out) {
  const std::string* value = http::FindParam(form, name);
  if (value == nullptr || value->empty()) return absl::OkStatus();
  int64_t n = 0;
  bool ok = value->size() <= 18;
  for (const char c : *value) ok = ok && absl::ascii_isdigit(static_cast<unsigned char>(c));
  if (!ok || !absl::SimpleAtoi(absl::string_view(value->data(), value->size()), &n) || n > max) {
    return absl::InvalidArgumentError(std::string(name) +
                                      " must be a non-negative integer, got \"" +
                                      value->substr(0, 32) + "\"");
  }
  *out = n;
  return absl::OkStatus();
}

const std::shared_ptr<spdlog::logger>& Logger() {
  static const std::shared_ptr<spdlog::logger> logger = logging::Get("webhook");
  return logger;
}

const std::string& ParamOrEmpty(const http::FormParams& form, std::string_view name) {
  static const std::string kEmpty;
  const std::string* value = http::FindParam(form, name);
  return value == nullptr ? kEmpty : *value;
}

}  // namespace

bool IsTwilioCallSid(std::string_view s) {
  if (s.size() != kCallSidLength || s[0] != 'C' || s[1] != 'A') return false;
  for (size_t i = 2; i < s.size(); ++i) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

v1::CallDirection ParseTwilioDirection(std::string_view direction) {
  if (direction == "inbound") return v1::CALL_DIRECTION_INBOUND;
  if (direction == "outbound-api" || direction == "outbound-dial") {
    return v1::CALL_DIRECTION_OUTBOUND;
  }
  return v1::CALL_DIRECTION_UNSPECIFIED;
}

absl::StatusOr<internal::v1::ReportProviderEventRequest> ParseTwilioStatusCallback(
    std::string_view tenant_id, std::string_view call_id, const http::FormParams& form) {
  const std::string* call_sid = http::FindParam(form, "CallSid");
  if (call_sid == nullptr || call_sid->empty()) {
    return absl::InvalidArgumentError("CallSid is required");
  }
  if (!IsTwilioCallSid(*call_sid)) {
    return absl::InvalidArgumentError("CallSid must be CA followed by 32 hex digits, got \"" +
                                      call_sid->substr(0, 40) + "\"");
  }
  const std::string* call_status = http::FindParam(form, "CallStatus");
  if (call_status == nullptr || call_status->empty()) {
    return absl::InvalidArgumentError("CallStatus is required (call_sid=" + *call_sid + ")");
  }

  int64_t sequence = -1;
  int64_t duration = -1;
  int64_t sip_code = 0;
  if (auto s = ReadCount(form, "SequenceNumber", std::numeric_limits<int64_t>::max(), &sequence);
      !s.ok()) {
    return s;
  }
  if (auto s = ReadCount(form, "CallDuration", std::numeric_limits<int64_t>::max(), &duration);
      !s.ok()) {
    return s;
  }
  if (auto s = ReadCount(form, "SipResponseCode", 999, &sip_code); !s.ok()) return s;

  internal::v1::ReportProviderEventRequest request;
  request.set_tenant_id(std::string(tenant_id));
  request.set_provider(v1::PROVIDER_TWILIO);
  request.set_call_id(std::string(call_id));
  request.mutable_provider_ids()->set_call_sid(*call_sid);
  request.set_provider_status(*call_status);
  request.set_status(NormalizeCallStatus(*call_status));
  if (request.status() == v1::CALL_STATUS_UNSPECIFIED) {
    Logger()->warn("twilio status callback with unknown CallStatus call_sid={} call_status=\"{}\"",
                   *call_sid, call_status->substr(0, 64));
  }
  request.set_provider_sequence(sequence);
  request.set_duration_seconds(duration);
  request.set_sip_response_code(static_cast<int32_t>(sip_code));

  if (const std::string* timestamp = http::FindParam(form, "Timestamp"); timestamp != nullptr) {
    auto time = ParseTwilioTime(*timestamp);
    // A time outside google.protobuf.Timestamp's range counts as unparsable.
    google::protobuf::Timestamp occurred;
    if (time.ok() && proto::ToTimestamp(*time, &occurred)) {
      *request.mutable_occurred_time() = occurred;
    } else {
      Logger()->debug("twilio status callback: unparsable Timestamp call_sid={} timestamp=\"{}\"",
                      *call_sid, timestamp->substr(0, 64));
    }
  }

  request.set_direction(ParseTwilioDirection(ParamOrEmpty(form, "Direction")));
  request.set_from(ParamOrEmpty(form, "From"));
  request.set_to(ParamOrEmpty(form, "To"));
  return request;
}

}  // namespace callcontrol::twilio
