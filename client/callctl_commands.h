// The unary callctl commands (start, hangup, get, list, metrics): build the request, call the
// daemon with the caller's API key and deadline, print the answer for humans or as JSON lines.
// Called by client/main.cc after flag parsing; `watch` lives in event_watcher.h.
#pragma once

#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "callcontrol/v1/call_control_service.grpc.pb.h"
#include "client/request_builders.h"

namespace callcontrol::client {

// What every command needs. The stub and stream must outlive the call.
struct CommandEnv {
  v1::CallControlService::StubInterface* stub = nullptr;
  // Sent as `authorization: Bearer <api_key>` when not empty.
  std::string api_key;
  // Deadline of each unary RPC.
  absl::Duration timeout = absl::Seconds(10);
  // Print each response as one JSON object per line instead of readable text.
  bool json = false;
  std::ostream* out = nullptr;
};

// Request metadata carrying `api_key` ({"authorization", "Bearer KEY"}); empty if no key.
std::vector<std::pair<std::string, std::string>> AuthMetadata(const std::string& api_key);

// Each returns the RPC's status converted to absl (same code, same message), or
// kInvalidArgument from the request builders before any RPC is made.
absl::Status RunStartCall(const CommandEnv& env, const StartCallArgs& args);
absl::Status RunHangupCall(const CommandEnv& env, const std::string& call_id);
absl::Status RunGetCall(const CommandEnv& env, const std::string& call_id);
// With `all`, follows next_page_token until the last page (JSON: one response per page).
absl::Status RunListCalls(const CommandEnv& env, const ListCallsArgs& args, bool all);
absl::Status RunGetMetrics(const CommandEnv& env);
// Prints the clone job of a call (GetCloneStatus).
absl::Status RunGetCloneStatus(const CommandEnv& env, const std::string& call_id);
// Uploads the voice sample in `path` for `caller_number` (PutVoiceSample). kNotFound if the file
// cannot be read; the daemon checks size and format.
absl::Status RunPutVoiceSample(const CommandEnv& env, const std::string& caller_number,
                               const std::string& path, const std::string& content_type);

// The line callctl prints on stderr for a failed command: "callctl: NOT_FOUND: call x not found".
std::string FormatError(const absl::Status& status);

}  // namespace callcontrol::client
