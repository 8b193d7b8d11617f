#include "providers/twilio/twilio_recording_callback.h"

#include <cstdint>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "providers/twilio/twilio_status_callback.h"

namespace callcontrol::twilio {
namespace {

// The first non-empty value of `name`, or nullptr.
const std::string* Field(const http::FormParams& form, std::string_view name) {
  const std::string* value = http::FindParam(form, name);
  return value == nullptr || value->empty() ? nullptr : value;
}

}  // namespace

absl::StatusOr<internal::v1::ReportProviderEventRequest> ParseTwilioRecordingCallback(
    std::string_view tenant_id, std::string_view call_id, const http::FormParams& form) {
  const std::string* call_sid = Field(form, "CallSid");
  if (call_sid == nullptr) return absl::InvalidArgumentError("CallSid is required");
  if (!IsTwilioCallSid(*call_sid)) {
    return absl::InvalidArgumentError("CallSid must be CA followed by 32 hex digits, got \"" +
                                      call_sid->substr(0, 40) + "\"");
  }
  const std::string* recording_sid = Field(form, "RecordingSid");
  const std::string* recording_url = Field(form, "RecordingUrl");
  if (recording_sid == nullptr && recording_url == nullptr) {
    return absl::InvalidArgumentError(
        "RecordingSid or RecordingUrl is required (call_sid=" + *call_sid + ")");
  }
  int64_t duration = 0;
  if (const std::string* value = Field(form, "RecordingDuration");
      value != nullptr && *value != "-1") {
    bool digits = value->size() <= 18;
    for (const char c : *value) digits = digits && absl::ascii_isdigit(static_cast<uint8_t>(c));
    if (!digits || !absl::SimpleAtoi(absl::string_view(value->data(), value->size()), &duration)) {
      return absl::InvalidArgumentError("RecordingDuration must be a non-negative integer, got \"" +
                                        value->substr(0, 32) + "\"");
    }
  }
  const std::string* recording_status = Field(form, "RecordingStatus");

  internal::v1::ReportProviderEventRequest request;
  request.set_tenant_id(std::string(tenant_id));
  request.set_provider(v1::PROVIDER_TWILIO);
  request.set_call_id(std::string(call_id));
  request.mutable_provider_ids()->set_call_sid(*call_sid);
  request.set_status(v1::CALL_STATUS_UNSPECIFIED);
  request.set_provider_sequence(-1);
  request.set_duration_seconds(-1);
  request.set_sip_response_code(0);
  v1::Recording* recording = request.mutable_recording();
  if (recording_sid != nullptr) recording->set_recording_id(*recording_sid);
  if (recording_url != nullptr) recording->set_url(*recording_url);
  recording->set_duration_seconds(duration);
  recording->set_status(recording_status == nullptr ? "completed" : *recording_status);
  request.set_provider_status("recording:" + recording->status());
  return request;
}

}  // namespace callcontrol::twilio
