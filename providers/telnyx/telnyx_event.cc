#include "providers/telnyx/telnyx_event.h"

#include <array>
#include <cstdint>
#include <memory>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/time/time.h"
#include "common/logging.h"
#include "common/proto/timestamp.h"
#include "nlohmann/json.hpp"
#include "providers/telnyx/telnyx_status.h"

namespace callcontrol::telnyx {
namespace {

using json = nlohmann::json;

constexpr size_t kMaxCallIdLength = 64;
constexpr std::string_view kCallIdPrefix = "call_";

constexpr std::array<std::string_view, 6> kCallStateEvents = {
    "call.initiated", "call.ringing", "call.answered",
    "call.bridged",   "call.hangup",  "call.recording.saved",
};

const std::shared_ptr<spdlog::logger>& Logger() {
  static const std::shared_ptr<spdlog::logger> logger = logging::Get("telnyx");
  return logger;
}

absl::string_view ToAbsl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// The body as a JSON object, or kInvalidArgument.
absl::StatusOr<json> ParseObject(std::string_view body) {
  json root = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) return absl::InvalidArgumentError("body is not valid JSON");
  if (!root.is_object()) return absl::InvalidArgumentError("body must be a JSON object");
  return root;
}

// The object at obj[key] (named `where` in errors), or kInvalidArgument if it is missing or is
// not an object.
absl::StatusOr<const json*> RequiredObject(const json& obj, const char* key,
                                           const std::string& where) {
  const auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return absl::InvalidArgumentError(where + " is required");
  if (!it->is_object()) return absl::InvalidArgumentError(where + " must be an object");
  return &*it;
}

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

// As OptionalString, but missing, null or "" is kInvalidArgument.
absl::Status RequiredString(const json& obj, const char* key, const std::string& where,
                            std::string* out) {
  if (auto s = OptionalString(obj, key, where, out); !s.ok()) return s;
  if (out->empty()) return absl::InvalidArgumentError(where + " is required");
  return absl::OkStatus();
}

// data.event_type of a parsed body.
absl::StatusOr<std::string> EventType(const json& root) {
  auto data = RequiredObject(root, "data", "data");
  if (!data.ok()) return data.status();
  std::string event_type;
  if (auto s = RequiredString(**data, "event_type", "data.event_type", &event_type); !s.ok()) {
    return s;
  }
  return event_type;
}

bool IsCallIdChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
}

// RFC 3339 (fractional seconds allowed) -> time, or false.
bool ParseRfc3339(const std::string& text, absl::Time* time) {
  std::string error;
  return absl::ParseTime(absl::RFC3339_full, ToAbsl(text), time, &error);
}

// The recording a call.recording.saved payload reports (see ParseTelnyxWebhook). kInvalidArgument
// naming the field when one has the wrong JSON type.
absl::StatusOr<v1::Recording> ParseRecording(const json& payload) {
  v1::Recording recording;
  if (auto s = OptionalString(payload, "recording_id", "data.payload.recording_id",
                              recording.mutable_recording_id());
      !s.ok()) {
    return s;
  }
  // Every URL is read, so that a wrong type fails the body whichever URL is used.
  for (const char* urls_key : {"recording_urls", "public_recording_urls"}) {
    const auto urls = payload.find(urls_key);
    const std::string where = std::string("data.payload.") + urls_key;
    if (urls == payload.end() || urls->is_null()) continue;
    if (!urls->is_object()) return absl::InvalidArgumentError(where + " must be an object");
    for (const char* format : {"mp3", "wav"}) {
      std::string url;
      if (auto s = OptionalString(*urls, format, where + "." + format, &url); !s.ok()) return s;
      if (recording.url().empty() && !url.empty()) recording.set_url(std::move(url));
    }
  }
  std::string started_at, ended_at;
  if (auto s = OptionalString(payload, "recording_started_at", "data.payload.recording_started_at",
                              &started_at);
      !s.ok()) {
    return s;
  }
  if (auto s = OptionalString(payload, "recording_ended_at", "data.payload.recording_ended_at",
                              &ended_at);
      !s.ok()) {
    return s;
  }
  absl::Time started, ended;
  if (!started_at.empty() && !ended_at.empty() && ParseRfc3339(started_at, &started) &&
      ParseRfc3339(ended_at, &ended) && ended >= started) {
    recording.set_duration_seconds(absl::ToInt64Seconds(ended - started + absl::Milliseconds(500)));
  }
  recording.set_status("completed");
  return recording;
}

}  // namespace

bool IsCallStateEvent(std::string_view event_type) {
  for (const std::string_view event : kCallStateEvents) {
    if (event == event_type) return true;
  }
  return false;
}

v1::CallDirection ParseTelnyxDirection(std::string_view direction) {
  if (direction == "incoming") return v1::CALL_DIRECTION_INBOUND;
  if (direction == "outgoing") return v1::CALL_DIRECTION_OUTBOUND;
  return v1::CALL_DIRECTION_UNSPECIFIED;
}

std::string CallIdFromClientState(std::string_view client_state) {
  if (client_state.empty() || client_state.size() > 2 * kMaxCallIdLength) return "";
  std::string decoded;
  if (!absl::Base64Unescape(ToAbsl(client_state), &decoded)) return "";
  if (decoded.size() <= kCallIdPrefix.size() || decoded.size() > kMaxCallIdLength ||
      decoded.compare(0, kCallIdPrefix.size(), kCallIdPrefix) != 0) {
    return "";
  }
  for (const char c : decoded) {
    if (!IsCallIdChar(c)) return "";
  }
  return decoded;
}

absl::StatusOr<std::string> ParseTelnyxEventType(std::string_view body) {
  auto root = ParseObject(body);
  if (!root.ok()) return root.status();
  return EventType(*root);
}

absl::StatusOr<internal::v1::ReportProviderEventRequest> ParseTelnyxWebhook(
    std::string_view tenant_id, std::string_view body) {
  auto root = ParseObject(body);
  if (!root.ok()) return root.status();
  auto event_type = EventType(*root);
  if (!event_type.ok()) return event_type.status();
  const json& data = root->at("data");
  std::string event_id;
  if (auto s = RequiredString(data, "id", "data.id", &event_id); !s.ok()) return s;
  auto payload_or = RequiredObject(data, "payload", "data.payload");
  if (!payload_or.ok()) return payload_or.status();
  const json& payload = **payload_or;

  internal::v1::ReportProviderEventRequest request;
  v1::ProviderIds* ids = request.mutable_provider_ids();
  if (auto s = RequiredString(payload, "call_control_id", "data.payload.call_control_id",
                              ids->mutable_call_control_id());
      !s.ok()) {
    return s;
  }
  // Read every optional field before building the rest, so a wrong type fails the whole body.
  std::string occurred_at, direction, client_state;
  struct Field {
    const char* key;
    std::string* out;
  };
  const Field payload_fields[] = {
      {"call_leg_id", ids->mutable_call_leg_id()},
      {"call_session_id", ids->mutable_call_session_id()},
      {"direction", &direction},
      {"from", request.mutable_from()},
      {"to", request.mutable_to()},
      {"client_state", &client_state},
  };
  for (const Field& field : payload_fields) {
    if (auto s =
            OptionalString(payload, field.key, std::string("data.payload.") + field.key, field.out);
        !s.ok()) {
      return s;
    }
  }
  if (auto s = OptionalString(data, "occurred_at", "data.occurred_at", &occurred_at); !s.ok()) {
    return s;
  }

  std::string hangup_cause;
  if (*event_type == kCallHangup) {
    v1::Hangup* hangup = request.mutable_hangup();
    if (auto s = OptionalString(payload, "hangup_cause", "data.payload.hangup_cause",
                                hangup->mutable_cause());
        !s.ok()) {
      return s;
    }
    if (auto s = OptionalString(payload, "hangup_source", "data.payload.hangup_source",
                                hangup->mutable_source());
        !s.ok()) {
      return s;
    }
    // Documented as text ("603", "unspecified"); a bare number is accepted as its digits.
    const auto sip = payload.find("sip_hangup_cause");
    if (sip != payload.end() && sip->is_number_integer()) {
      hangup->set_sip_cause(std::to_string(sip->get<int64_t>()));
    } else if (auto s = OptionalString(payload, "sip_hangup_cause", "data.payload.sip_hangup_cause",
                                       hangup->mutable_sip_cause());
               !s.ok()) {
      return s;
    }
    hangup_cause = hangup->cause();
  }

  if (*event_type == kCallRecordingSaved) {
    auto recording = ParseRecording(payload);
    if (!recording.ok()) return recording.status();
    if (recording->url().empty() && recording->recording_id().empty()) {
      Logger()->debug("telnyx call.recording.saved without a recording URL call_control_id={}",
                      ids->call_control_id());
    } else {
      *request.mutable_recording() = *std::move(recording);
    }
  }

  request.set_tenant_id(std::string(tenant_id));
  request.set_provider(v1::PROVIDER_TELNYX);
  request.set_call_id(CallIdFromClientState(client_state));
  request.set_provider_event_id(std::move(event_id));
  request.set_status(NormalizeTelnyxEvent(*event_type, hangup_cause));
  request.set_provider_status(*event_type == kCallHangup && !hangup_cause.empty()
                                  ? *event_type + ":" + hangup_cause
                                  : *std::move(event_type));
  request.set_provider_sequence(-1);
  request.set_duration_seconds(-1);
  request.set_sip_response_code(0);
  request.set_direction(ParseTelnyxDirection(direction));

  if (!occurred_at.empty()) {
    absl::Time time;
    std::string error;
    // A time outside google.protobuf.Timestamp's range counts as unparsable.
    google::protobuf::Timestamp occurred;
    if (absl::ParseTime(absl::RFC3339_full, ToAbsl(occurred_at), &time, &error) &&
        proto::ToTimestamp(time, &occurred)) {
      *request.mutable_occurred_time() = occurred;
    } else {
      Logger()->debug(
          "telnyx webhook: unparsable occurred_at call_control_id={} occurred_at=\"{}\" error={}",
          ids->call_control_id(), occurred_at.substr(0, 64), error);
    }
  }
  return request;
}

}  // namespace callcontrol::telnyx
