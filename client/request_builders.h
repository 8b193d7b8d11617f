// Turns callctl's command-line arguments into CallControlService requests, checking what can be
// checked locally (status words, RFC 3339 times, page size) so a typo fails before any RPC.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "callcontrol/v1/call_control_service.pb.h"

namespace callcontrol::client {

struct StartCallArgs {
  std::string to;               // E.164, required
  std::string from;             // E.164 or empty (tenant default)
  std::string idempotency_key;  // optional
  std::string twiml;            // optional
};

// Returns kInvalidArgument if `to` is empty. The server validates E.164 and lengths.
absl::StatusOr<v1::StartCallRequest> BuildStartCallRequest(const StartCallArgs& args);

// Returns kInvalidArgument if `call_id` is empty.
absl::StatusOr<v1::GetCallRequest> BuildGetCallRequest(const std::string& call_id);
absl::StatusOr<v1::HangupCallRequest> BuildHangupCallRequest(const std::string& call_id);

struct ListCallsArgs {
  std::vector<std::string> statuses;  // status words ("in_progress", "no-answer"...)
  std::string since;                  // RFC 3339 or empty
  std::string until;                  // RFC 3339 or empty
  int32_t page_size = 0;              // 0: server default
  std::string page_token;
};

// Returns kInvalidArgument for an unknown status word, a malformed time, `since` not before
// `until`, or a negative page size.
absl::StatusOr<v1::ListCallsRequest> BuildListCallsRequest(const ListCallsArgs& args);

// since_sequence set only when `since` has a value. Returns kInvalidArgument if it is negative.
absl::StatusOr<v1::StreamEventsRequest> BuildStreamEventsRequest(std::optional<int64_t> since);

}  // namespace callcontrol::client
