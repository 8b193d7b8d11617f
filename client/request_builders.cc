#include "client/request_builders.h"

#include "absl/strings/str_cat.h"
#include "client/call_format.h"
#include "common/status_macros.h"

namespace callcontrol::client {

absl::StatusOr<v1::StartCallRequest> BuildStartCallRequest(const StartCallArgs& args) {
  if (args.to.empty()) {
    return absl::InvalidArgumentError("--to is required (E.164, e.g. +14155550123)");
  }
  v1::StartCallRequest request;
  request.set_to(args.to);
  request.set_from(args.from);
  request.set_idempotency_key(args.idempotency_key);
  request.set_twiml(args.twiml);
  return request;
}

absl::StatusOr<v1::GetCallRequest> BuildGetCallRequest(const std::string& call_id) {
  if (call_id.empty()) {
    return absl::InvalidArgumentError("CALL_ID must not be empty");
  }
  v1::GetCallRequest request;
  request.set_call_id(call_id);
  return request;
}

absl::StatusOr<v1::HangupCallRequest> BuildHangupCallRequest(const std::string& call_id) {
  if (call_id.empty()) {
    return absl::InvalidArgumentError("CALL_ID must not be empty");
  }
  v1::HangupCallRequest request;
  request.set_call_id(call_id);
  return request;
}

absl::StatusOr<v1::ListCallsRequest> BuildListCallsRequest(const ListCallsArgs& args) {
  v1::ListCallsRequest request;
  for (const std::string& word : args.statuses) {
    ASSIGN_OR_RETURN(v1::CallStatus status, ParseStatusWord(word));
    request.add_statuses(status);
  }
  std::optional<absl::Time> since;
  std::optional<absl::Time> until;
  if (!args.since.empty()) {
    ASSIGN_OR_RETURN(since, ParseRfc3339(args.since));
    *request.mutable_start_time() = ToTimestamp(*since);
  }
  if (!args.until.empty()) {
    ASSIGN_OR_RETURN(until, ParseRfc3339(args.until));
    *request.mutable_end_time() = ToTimestamp(*until);
  }
  if (since && until && *since >= *until) {
    return absl::InvalidArgumentError(
        absl::StrCat("--since ", args.since, " must be before --until ", args.until));
  }
  if (args.page_size < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("--page-size must not be negative (got ", args.page_size, ")"));
  }
  request.set_page_size(args.page_size);
  request.set_page_token(args.page_token);
  return request;
}

absl::StatusOr<v1::StreamEventsRequest> BuildStreamEventsRequest(std::optional<int64_t> since) {
  v1::StreamEventsRequest request;
  if (since.has_value()) {
    if (*since < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("--since must not be negative (got ", *since, ")"));
    }
    request.set_since_sequence(*since);
  }
  return request;
}

}  // namespace callcontrol::client
