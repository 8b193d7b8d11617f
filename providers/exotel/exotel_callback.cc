#include "providers/exotel/exotel_callback.h"

#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "common/logging.h"
#include "common/proto/timestamp.h"
#include "nlohmann/json.hpp"
#include "providers/exotel/exotel_status.h"

namespace callcontrol::exotel {
namespace {

using json = nlohmann::json;

constexpr size_t kMaxCallSidLength = 64;
constexpr size_t kMaxCallIdLength = 64;
constexpr std::string_view kCallIdPrefix = "call_";
constexpr int kMaxIntegerDigits = 12;  // 10^12 units in micros still fits an int64
constexpr int64_t kMicrosPerUnit = 1000000;
// IST: UTC+05:30, no daylight saving.
constexpr int kIstOffsetSeconds = 5 * 3600 + 30 * 60;

const std::shared_ptr<spdlog::logger>& Logger() {
  static const std::shared_ptr<spdlog::logger> logger = logging::Get("exotel");
  return logger;
}

absl::string_view ToAbsl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

bool IsIdChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
}

bool IsCallSid(std::string_view s) {
  if (s.empty() || s.size() > kMaxCallSidLength) return false;
  for (const char c : s) {
    if (!IsIdChar(c)) return false;
  }
  return true;
}

bool IsCallcontrolCallId(std::string_view s) {
  if (s.size() <= kCallIdPrefix.size() || s.size() > kMaxCallIdLength ||
      s.substr(0, kCallIdPrefix.size()) != kCallIdPrefix) {
    return false;
  }
  for (const char c : s) {
    if (!IsIdChar(c)) return false;
  }
  return true;
}

// The first non-empty value of `name`, or nullptr.
const std::string* Field(const http::FormParams& fields, std::string_view name) {
  const std::string* value = http::FindParam(fields, name);
  return value == nullptr || value->empty() ? nullptr : value;
}

const std::string& FieldOrEmpty(const http::FormParams& fields, std::string_view name) {
  static const std::string kEmpty;
  const std::string* value = Field(fields, name);
  return value == nullptr ? kEmpty : *value;
}

}  // namespace

absl::StatusOr<http::FormParams> ExotelFieldsFromJson(std::string_view body) {
  const json root = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) return absl::InvalidArgumentError("body is not valid JSON");
  if (!root.is_object()) return absl::InvalidArgumentError("body must be a JSON object");
  http::FormParams fields;
  fields.reserve(root.size());
  for (const auto& [name, value] : root.items()) {
    switch (value.type()) {
      case json::value_t::string:
        fields.emplace_back(name, value.get<std::string>());
        break;
      case json::value_t::number_integer:
        fields.emplace_back(name, std::to_string(value.get<int64_t>()));
        break;
      case json::value_t::number_unsigned:
        fields.emplace_back(name, std::to_string(value.get<uint64_t>()));
        break;
      case json::value_t::number_float:
        fields.emplace_back(name, value.dump());
        break;
      case json::value_t::boolean:
        fields.emplace_back(name, value.get<bool>() ? "true" : "false");
        break;
      default:  // null, arrays, objects
        break;
    }
  }
  return fields;
}

absl::StatusOr<absl::Time> ParseExotelTime(std::string_view text) {
  absl::Time time;
  std::string error;
  if (text.size() != 19 ||
      !absl::ParseTime("%Y-%m-%d %H:%M:%S", ToAbsl(text), absl::FixedTimeZone(kIstOffsetSeconds),
                       &time, &error)) {
    return absl::InvalidArgumentError("want \"YYYY-MM-DD HH:mm:ss\", got \"" +
                                      std::string(text.substr(0, 40)) + "\"");
  }
  return time;
}

absl::StatusOr<int64_t> ParseDecimalMicros(std::string_view decimal) {
  auto invalid = [decimal]() {
    return absl::InvalidArgumentError("want a non-negative decimal like 1.500, got \"" +
                                      std::string(decimal.substr(0, 32)) + "\"");
  };
  size_t i = 0;
  int64_t units = 0;
  int integer_digits = 0;
  for (; i < decimal.size() && absl::ascii_isdigit(static_cast<unsigned char>(decimal[i])); ++i) {
    if (++integer_digits > kMaxIntegerDigits) return invalid();
    units = units * 10 + (decimal[i] - '0');
  }
  int64_t fraction = 0;
  int fraction_digits = 0;  // all of them, also those past the sixth
  int64_t round_up = 0;
  if (i < decimal.size() && decimal[i] == '.') {
    for (++i; i < decimal.size() && absl::ascii_isdigit(static_cast<unsigned char>(decimal[i]));
         ++i, ++fraction_digits) {
      const int digit = decimal[i] - '0';
      if (fraction_digits < 6) {
        fraction = fraction * 10 + digit;
      } else if (fraction_digits == 6) {
        round_up = digit >= 5 ? 1 : 0;  // half up: later digits cannot change it
      }
    }
  }
  if (i != decimal.size() || integer_digits + fraction_digits == 0) return invalid();
  for (int d = fraction_digits; d < 6; ++d) fraction *= 10;
  return units * kMicrosPerUnit + fraction + round_up;
}

v1::CallDirection ParseExotelDirection(std::string_view direction) {
  const absl::string_view d = ToAbsl(direction);
  if (absl::EqualsIgnoreCase(d, "inbound")) return v1::CALL_DIRECTION_INBOUND;
  if (absl::EqualsIgnoreCase(d, "outbound-dial") || absl::EqualsIgnoreCase(d, "outbound-api")) {
    return v1::CALL_DIRECTION_OUTBOUND;
  }
  return v1::CALL_DIRECTION_UNSPECIFIED;
}

absl::StatusOr<internal::v1::ReportProviderEventRequest> ParseExotelStatusCallback(
    std::string_view tenant_id, std::string_view call_id, const http::FormParams& fields) {
  const std::string* call_sid = Field(fields, "CallSid");
  if (call_sid == nullptr) return absl::InvalidArgumentError("CallSid is required");
  if (!IsCallSid(*call_sid)) {
    return absl::InvalidArgumentError(
        "CallSid must be 1 to 64 letters, digits, '-' or '_', got \"" + call_sid->substr(0, 40) +
        "\"");
  }
  const std::string* status = Field(fields, "Status");
  if (status == nullptr) {
    return absl::InvalidArgumentError("Status is required (call_sid=" + *call_sid + ")");
  }

  int64_t duration = -1;
  for (const char* name : {"ConversationDuration", "DialCallDuration", "Duration"}) {
    const std::string* value = Field(fields, name);
    if (value == nullptr) continue;
    auto micros = ParseDecimalMicros(*value);
    if (!micros.ok()) {
      return absl::InvalidArgumentError(std::string(name) +
                                        " must be a non-negative number of seconds, got \"" +
                                        value->substr(0, 32) + "\"");
    }
    duration = (*micros + kMicrosPerUnit / 2) / kMicrosPerUnit;
    break;
  }

  internal::v1::ReportProviderEventRequest request;
  if (const std::string* price = Field(fields, "Price"); price != nullptr) {
    auto micros = ParseDecimalMicros(*price);
    if (!micros.ok()) {
      return absl::InvalidArgumentError("Price must be a non-negative decimal, got \"" +
                                        price->substr(0, 32) + "\"");
    }
    std::string currency(kDefaultCurrency);
    const char* currency_field = "Currency";
    const std::string* named = Field(fields, "Currency");
    if (named == nullptr) {
      named = Field(fields, "PriceUnit");
      currency_field = "PriceUnit";
    }
    if (named != nullptr) {
      bool letters = named->size() == 3;
      for (const char c : *named) letters = letters && absl::ascii_isalpha(static_cast<uint8_t>(c));
      if (!letters) {
        return absl::InvalidArgumentError(std::string(currency_field) +
                                          " must be a 3-letter ISO 4217 code, got \"" +
                                          named->substr(0, 16) + "\"");
      }
      currency = absl::AsciiStrToUpper(ToAbsl(*named));
    }
    request.mutable_price()->set_currency_code(std::move(currency));
    request.mutable_price()->set_amount_micros(*micros);
  }

  request.set_tenant_id(std::string(tenant_id));
  request.set_provider(v1::PROVIDER_EXOTEL);
  const std::string& custom_field = FieldOrEmpty(fields, "CustomField");
  request.set_call_id(IsCallcontrolCallId(custom_field) ? custom_field : std::string(call_id));
  request.mutable_provider_ids()->set_call_sid(*call_sid);
  request.set_provider_status(*status);
  request.set_status(NormalizeExotelStatus(*status));
  if (request.status() == v1::CALL_STATUS_UNSPECIFIED) {
    Logger()->warn("exotel status callback with unknown Status call_sid={} status=\"{}\"",
                   *call_sid, status->substr(0, 64));
  }
  request.set_provider_sequence(-1);
  request.set_duration_seconds(duration);
  request.set_sip_response_code(0);
  request.set_direction(ParseExotelDirection(FieldOrEmpty(fields, "Direction")));
  request.set_from(FieldOrEmpty(fields, "From"));
  request.set_to(FieldOrEmpty(fields, "To"));

  if (const std::string* url = Field(fields, "RecordingUrl"); url != nullptr) {
    request.mutable_recording()->set_url(*url);
    request.mutable_recording()->set_status("completed");
  }

  const std::string* end_time = nullptr;
  if (absl::EqualsIgnoreCase(ToAbsl(FieldOrEmpty(fields, "EventType")), "terminal")) {
    end_time = Field(fields, "EndTime");
  }
  const char* time_field = end_time != nullptr ? "EndTime" : "DateUpdated";
  if (const std::string* when = end_time != nullptr ? end_time : Field(fields, "DateUpdated");
      when != nullptr) {
    auto time = ParseExotelTime(*when);
    // A time outside google.protobuf.Timestamp's range counts as unparsable.
    google::protobuf::Timestamp occurred;
    if (time.ok() && proto::ToTimestamp(*time, &occurred)) {
      *request.mutable_occurred_time() = occurred;
    } else {
      Logger()->debug("exotel status callback: unparsable {} call_sid={} value=\"{}\"", time_field,
                      *call_sid, when->substr(0, 40));
    }
  }
  return request;
}

}  // namespace callcontrol::exotel
