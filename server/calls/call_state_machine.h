// The forward-only call state machine: how one provider report (a webhook or a REST response)
// changes a call. Pure functions over a Call proto; no I/O, no locking (the registry holds the
// lock). Rules (DESIGN.md "Public API"):
//  - status only moves forward (queued < initiated < ringing < in_progress < terminal) and a
//    terminal status absorbs everything after it, so a late `ringing` never regresses a call;
//  - a report older than one already applied (provider sequence, e.g. Twilio SequenceNumber)
//    cannot move the status, but may fill a field still missing (answer time, duration);
//  - a report that changes nothing (a duplicate) leaves the call, and its version, untouched.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/time/time.h"
#include "callcontrol/v1/call.pb.h"

namespace callcontrol::calls {

// What a provider said about a call. Unset fields carry no information.
struct ProviderReport {
  v1::CallStatus status = v1::CALL_STATUS_UNSPECIFIED;  // UNSPECIFIED: status unknown
  std::string provider_status;                          // the provider's word, verbatim
  int64_t provider_sequence = -1;                       // -1: none
  std::optional<absl::Time> occurred_time;              // when the provider says it happened
  int64_t duration_seconds = -1;                        // -1: none
  int32_t sip_response_code = 0;                        // 0: none
  v1::ProviderIds provider_ids;
  v1::CallDirection direction = v1::CALL_DIRECTION_UNSPECIFIED;
  std::string from;
  std::string to;
  std::string error_message;  // set by StartCall when the provider refused
};

// Per-call bookkeeping kept next to the Call.
struct CallProgress {
  int64_t last_provider_sequence = -1;
};

// Applies `report` to `call` at time `now`. Returns true if the call changed; then `version` is
// incremented and `update_time` is `now`. `call.status` must not be UNSPECIFIED.
bool ApplyReport(const ProviderReport& report, absl::Time now, v1::Call* call,
                 CallProgress* progress);

// Converts between absl::Time and google.protobuf.Timestamp.
void SetTimestamp(absl::Time t, google::protobuf::Timestamp* ts);
absl::Time FromTimestamp(const google::protobuf::Timestamp& ts);

}  // namespace callcontrol::calls
