#include "server/calls/report_limits.h"

#include <string>

#include "absl/strings/ascii.h"
#include "common/proto/field_limits.h"
#include "server/calls/call_state_machine.h"

namespace callcontrol::calls {
namespace {

constexpr size_t kMaxCallIdBytes = 5 + 64;  // "call_" + 64

bool IsProviderIdChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == ':' ||
         c == '~' || c == '+' || c == '=' || c == '-';
}

bool IsCallIdChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
}

}  // namespace

absl::Status CheckProviderId(const std::string& id, const char* name) {
  if (id.empty()) return absl::OkStatus();
  if (id.size() > kMaxProviderIdBytes) {
    return absl::InvalidArgumentError(std::string(name) + " is longer than " +
                                      std::to_string(kMaxProviderIdBytes) + " bytes");
  }
  for (char c : id) {
    if (!IsProviderIdChar(c)) {
      return absl::InvalidArgumentError(std::string(name) + " has a character no provider id has");
    }
  }
  return absl::OkStatus();
}

absl::Status CheckProviderIds(const v1::ProviderIds& ids) {
  for (const auto& [id, name] : {std::pair{&ids.call_sid(), "CallSid"},
                                 {&ids.call_control_id(), "call_control_id"},
                                 {&ids.call_leg_id(), "call_leg_id"},
                                 {&ids.call_session_id(), "call_session_id"},
                                 {&ids.execution_id(), "execution id"}}) {
    if (auto s = CheckProviderId(*id, name); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status CheckProviderEvent(const internal::v1::ReportProviderEventRequest& request) {
  if (auto s = proto::CheckStringFields(request); !s.ok()) return s;
  if (auto s = CheckProviderIds(request.provider_ids()); !s.ok()) return s;
  const std::string& call_id = request.call_id();
  if (!call_id.empty()) {
    bool shaped = call_id.size() > 5 && call_id.size() <= kMaxCallIdBytes &&
                  call_id.compare(0, 5, "call_") == 0;
    for (size_t i = 5; shaped && i < call_id.size(); ++i) shaped = IsCallIdChar(call_id[i]);
    if (!shaped) return absl::InvalidArgumentError("call_id is not a callcontrol call id");
  }
  if (request.duration_seconds() < -1 || request.duration_seconds() > kMaxCallSeconds) {
    return absl::InvalidArgumentError("duration_seconds must be -1 (unknown) or 0 to " +
                                      std::to_string(kMaxCallSeconds));
  }
  if (request.has_recording() && (request.recording().duration_seconds() < 0 ||
                                  request.recording().duration_seconds() > kMaxCallSeconds)) {
    return absl::InvalidArgumentError("recording.duration_seconds must be 0 to " +
                                      std::to_string(kMaxCallSeconds));
  }
  if (request.has_price()) {
    const int64_t micros = request.price().amount_micros();
    if (micros > kMaxPriceMicros || micros < -kMaxPriceMicros) {
      return absl::InvalidArgumentError("price.amount_micros is out of range (at most " +
                                        std::to_string(kMaxPriceMicros) + " in magnitude)");
    }
    const std::string& currency = request.price().currency_code();
    if (currency.size() != 3 || !absl::ascii_isalpha(static_cast<unsigned char>(currency[0])) ||
        !absl::ascii_isalpha(static_cast<unsigned char>(currency[1])) ||
        !absl::ascii_isalpha(static_cast<unsigned char>(currency[2]))) {
      return absl::InvalidArgumentError("price.currency_code must be an ISO 4217 code");
    }
  }
  if (request.has_occurred_time() && !IsValidTimestamp(request.occurred_time())) {
    return absl::InvalidArgumentError("occurred_time is not a valid timestamp");
  }
  return absl::OkStatus();
}

absl::Status CheckInboundCall(const internal::v1::StartInboundCallRequest& request) {
  if (auto s = proto::CheckStringFields(request); !s.ok()) return s;
  return CheckProviderIds(request.provider_ids());
}

}  // namespace callcontrol::calls
