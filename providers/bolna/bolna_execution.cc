#include "providers/bolna/bolna_execution.h"

#include <cmath>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/time/time.h"
#include "common/logging.h"
#include "common/proto/timestamp.h"
#include "nlohmann/json.hpp"
#include "providers/bolna/bolna_status.h"

namespace callcontrol::bolna {
namespace {

using json = nlohmann::json;

constexpr size_t kMaxExecutionIdLength = 128;
constexpr double kMicrosPerCent = 10000.0;
// Larger figures are nonsense and would overflow the conversions below.
constexpr double kMaxNumber = 1e12;

const std::shared_ptr<spdlog::logger>& Logger() {
  static const std::shared_ptr<spdlog::logger> logger = logging::Get("bolna");
  return logger;
}

absl::string_view ToAbsl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// Reads the optional string obj[key] into `out` ("" when missing or null). kInvalidArgument
// naming `where` when it is another JSON type.
absl::Status OptionalString(const json& obj, const char* key, const std::string& where,
                            std::string* out) {
  out->clear();
  const auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return absl::OkStatus();
  if (!it->is_string()) return absl::InvalidArgumentError(where + " must be a string");
  *out = it->get<std::string>();
  return absl::OkStatus();
}

// The optional non-negative number obj[key], given as a JSON number or a numeric string; nullopt
// when missing, null or "". kInvalidArgument naming `where` for anything else.
absl::StatusOr<std::optional<double>> OptionalNumber(const json& obj, const char* key,
                                                     const std::string& where) {
  const auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::nullopt;
  double value = 0;
  if (it->is_number()) {
    value = it->get<double>();
  } else if (it->is_string()) {
    const std::string& text = it->get_ref<const std::string&>();
    if (text.empty()) return std::nullopt;
    if (!absl::SimpleAtod(ToAbsl(text), &value)) {
      return absl::InvalidArgumentError(where + " must be a number, got \"" + text.substr(0, 32) +
                                        "\"");
    }
  } else {
    return absl::InvalidArgumentError(where + " must be a number");
  }
  if (!std::isfinite(value) || value < 0 || value > kMaxNumber) {
    return absl::InvalidArgumentError(where + " must be a non-negative number");
  }
  return value;
}

// The execution id: a non-empty string or an integer.
absl::StatusOr<std::string> ExecutionId(const json& root) {
  const auto it = root.find("id");
  if (it == root.end() || it->is_null()) return absl::InvalidArgumentError("id is required");
  if (it->is_number_integer()) return it->dump();
  if (!it->is_string()) return absl::InvalidArgumentError("id must be a string");
  std::string id = it->get<std::string>();
  if (id.empty()) return absl::InvalidArgumentError("id is required");
  if (id.size() > kMaxExecutionIdLength) {
    return absl::InvalidArgumentError("id is longer than 128 characters");
  }
  return id;
}

bool IsTerminal(v1::CallStatus status) {
  switch (status) {
    case v1::CALL_STATUS_COMPLETED:
    case v1::CALL_STATUS_BUSY:
    case v1::CALL_STATUS_NO_ANSWER:
    case v1::CALL_STATUS_FAILED:
    case v1::CALL_STATUS_CANCELED:
      return true;
    default:
      return false;
  }
}

// RFC 3339, or the same without an offset (then UTC).
bool ParseBolnaTime(const std::string& text, absl::Time* time, std::string* error) {
  if (absl::ParseTime(absl::RFC3339_full, ToAbsl(text), time, error)) return true;
  return absl::ParseTime("%Y-%m-%dT%H:%M:%E*S", ToAbsl(text), absl::UTCTimeZone(), time, error);
}

}  // namespace

int64_t CentsToMicros(double cents) { return std::llround(cents * kMicrosPerCent); }

v1::CallDirection ParseBolnaCallType(std::string_view call_type) {
  if (absl::EqualsIgnoreCase(ToAbsl(call_type), "outbound")) return v1::CALL_DIRECTION_OUTBOUND;
  if (absl::EqualsIgnoreCase(ToAbsl(call_type), "inbound")) return v1::CALL_DIRECTION_INBOUND;
  return v1::CALL_DIRECTION_UNSPECIFIED;
}

absl::StatusOr<internal::v1::ReportProviderEventRequest> ParseBolnaExecution(
    std::string_view tenant_id, std::string_view call_id, std::string_view body) {
  const json root = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) return absl::InvalidArgumentError("body is not valid JSON");
  if (!root.is_object()) return absl::InvalidArgumentError("body must be a JSON object");
  auto execution_id = ExecutionId(root);
  if (!execution_id.ok()) return execution_id.status();
  std::string status;
  if (auto s = OptionalString(root, "status", "status", &status); !s.ok()) return s;
  if (status.empty()) {
    return absl::InvalidArgumentError("status is required (execution_id=" + *execution_id + ")");
  }

  static const json kNoTelephony = json::object();
  const json* telephony = &kNoTelephony;
  if (const auto it = root.find("telephony_data"); it != root.end() && !it->is_null()) {
    if (!it->is_object()) return absl::InvalidArgumentError("telephony_data must be an object");
    telephony = &*it;
  }

  // Read every field before building the request, so a wrong type fails the whole body.
  internal::v1::ReportProviderEventRequest request;
  std::string call_type, recording_url, top_recording_url, updated_at, created_at;
  std::string hangup_reason, hangup_by;
  struct Field {
    const json* obj;
    const char* key;
    const char* where;
    std::string* out;
  };
  const Field fields[] = {
      {telephony, "to_number", "telephony_data.to_number", request.mutable_to()},
      {telephony, "from_number", "telephony_data.from_number", request.mutable_from()},
      {telephony, "call_type", "telephony_data.call_type", &call_type},
      {telephony, "recording_url", "telephony_data.recording_url", &recording_url},
      {telephony, "hangup_reason", "telephony_data.hangup_reason", &hangup_reason},
      {telephony, "hangup_by", "telephony_data.hangup_by", &hangup_by},
      {&root, "recording_url", "recording_url", &top_recording_url},
      {&root, "updated_at", "updated_at", &updated_at},
      {&root, "created_at", "created_at", &created_at},
  };
  for (const Field& field : fields) {
    if (auto s = OptionalString(*field.obj, field.key, field.where, field.out); !s.ok()) return s;
  }

  std::optional<double> duration;
  struct NumberField {
    const json* obj;
    const char* key;
    const char* where;
  };
  for (const NumberField& field :
       {NumberField{telephony, "duration", "telephony_data.duration"},
        NumberField{&root, "conversation_duration", "conversation_duration"},
        NumberField{&root, "conversation_time", "conversation_time"}}) {
    auto value = OptionalNumber(*field.obj, field.key, field.where);
    if (!value.ok()) return value.status();
    if (value->has_value()) {
      duration = *value;
      break;
    }
  }
  auto total_cost = OptionalNumber(root, "total_cost", "total_cost");
  if (!total_cost.ok()) return total_cost.status();

  request.set_tenant_id(std::string(tenant_id));
  request.set_provider(v1::PROVIDER_BOLNA);
  request.set_call_id(std::string(call_id));
  request.mutable_provider_ids()->set_execution_id(*execution_id);
  request.set_status(NormalizeBolnaStatus(status));
  if (request.status() == v1::CALL_STATUS_UNSPECIFIED && !IsKnownBolnaStatus(status)) {
    Logger()->warn("bolna webhook with unknown status execution_id={} status=\"{}\"", *execution_id,
                   status.substr(0, 64));
  }
  request.set_provider_status(std::move(status));
  request.set_provider_sequence(-1);
  request.set_duration_seconds(duration.has_value() ? std::llround(*duration) : -1);
  request.set_sip_response_code(0);
  request.set_direction(ParseBolnaCallType(call_type));

  if (total_cost->has_value() && IsTerminal(request.status())) {
    request.mutable_price()->set_currency_code(std::string(kCostCurrency));
    request.mutable_price()->set_amount_micros(CentsToMicros(**total_cost));
  }
  if (recording_url.empty()) recording_url = std::move(top_recording_url);
  if (!recording_url.empty()) {
    request.mutable_recording()->set_url(std::move(recording_url));
    request.mutable_recording()->set_status("completed");
  }
  if (!hangup_reason.empty() || !hangup_by.empty()) {
    request.mutable_hangup()->set_cause(std::move(hangup_reason));
    request.mutable_hangup()->set_source(std::move(hangup_by));
  }

  const std::string& when = updated_at.empty() ? created_at : updated_at;
  if (!when.empty()) {
    absl::Time time;
    std::string error;
    // A time outside google.protobuf.Timestamp's range counts as unparsable.
    google::protobuf::Timestamp occurred;
    if (ParseBolnaTime(when, &time, &error) && proto::ToTimestamp(time, &occurred)) {
      *request.mutable_occurred_time() = occurred;
    } else {
      Logger()->debug("bolna webhook: unparsable {} execution_id={} value=\"{}\" error={}",
                      updated_at.empty() ? "created_at" : "updated_at", *execution_id,
                      when.substr(0, 64), error);
    }
  }
  return request;
}

}  // namespace callcontrol::bolna
