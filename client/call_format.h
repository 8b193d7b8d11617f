// Human-readable text for callctl: calls, events and metrics as terminal lines, status words
// ("in_progress", "in-progress" <-> CALL_STATUS_IN_PROGRESS) and RFC 3339 times.
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "callcontrol/v1/call.pb.h"
#include "callcontrol/v1/event.pb.h"
#include "callcontrol/v1/metrics.pb.h"
#include "common/call_status.h"
#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"

namespace callcontrol::client {

// The word callctl prints for a status: "queued", "in_progress", "no_answer"...; "unspecified"
// for CALL_STATUS_UNSPECIFIED and unknown values.
std::string_view StatusWord(v1::CallStatus status);

// Parses a status word. Case-insensitive; '-' and '_' are interchangeable; the enum spelling
// ("CALL_STATUS_IN_PROGRESS") and "cancelled" are accepted too. Returns kInvalidArgument
// naming the accepted words for anything else (including "unspecified").
absl::StatusOr<v1::CallStatus> ParseStatusWord(std::string_view word);

// True for COMPLETED, BUSY, NO_ANSWER, FAILED and CANCELED: the call never changes again
// (common/call_status.h).
using ::callcontrol::IsTerminal;

// The provider's name as the API spells it, lowercased without the prefix (PROVIDER_X -> "x");
// "unspecified" for PROVIDER_UNSPECIFIED and unknown values.
std::string_view ProviderWord(v1::Provider provider);

// "outbound", "inbound"; "unspecified" otherwise.
std::string_view DirectionWord(v1::CallDirection direction);

// RFC 3339 in UTC with whole seconds ("2026-03-25T09:53:19Z"); "-" for an unset timestamp
// (seconds and nanos both 0).
std::string FormatTimestamp(const google::protobuf::Timestamp& ts);

// Parses RFC 3339 ("2026-03-25T09:53:19Z", "2026-03-25T11:53:19.5+02:00"). Returns
// kInvalidArgument otherwise.
absl::StatusOr<absl::Time> ParseRfc3339(std::string_view text);

// Converts an absl::Time to a protobuf Timestamp (nanosecond precision).
google::protobuf::Timestamp ToTimestamp(absl::Time t);

// A duration in whole seconds as "49s", "2m05s", "1h02m03s".
std::string FormatDurationSeconds(int64_t seconds);

// True when `id` names `call`: its call_id or any of its provider ids (CallSid,
// call_control_id, call_leg_id, call_session_id). An empty id matches nothing.
bool CallMatchesId(const v1::Call& call, std::string_view id);

// The clone job of a call, one "label: value" line per field.
std::string FormatCloneJob(const std::string& call_id, const v1::CloneJob& job);

// "0.042 USD", "2.40 INR": an exact amount of micros, at least two decimals, no float.
std::string FormatMoney(const v1::Money& money);

// One line for `callctl list`: "call_… in_progress +14155550100 → +14155550123
// 2026-03-25T09:53:19Z 49s" (call id, status, from → to, created, duration). No newline.
std::string FormatCallLine(const v1::Call& call);

// A multi-line description of one call (`callctl get/start/hangup`), every line ending in '\n'.
std::string FormatCallDetail(const v1::Call& call);

// One line for `callctl watch`: "#42 call:updated call_… +14155550100 → +14155550123
// in_progress", plus " duration=49s" (and the SIP code / error when set) once the call ended;
// "#43 metrics:updated active=1 total=7 billable=120s" for metrics. No newline.
std::string FormatEventLine(const v1::Event& event);

// A multi-line description of metrics (`callctl metrics`), every line ending in '\n'.
std::string FormatMetrics(const v1::Metrics& metrics);

// `message` as one line of JSON (proto3 JSON mapping, lowerCamelCase names), no newline.
// Returns kInternal if the message cannot be converted (never for callcontrol's own messages).
absl::StatusOr<std::string> ToJsonLine(const google::protobuf::Message& message);

}  // namespace callcontrol::client
