// The forward-only call state machine: how one provider report (a webhook or a REST response)
// changes a call. Pure functions over a Call proto; no I/O, no locking (the registry holds the
// lock). Rules (DESIGN.md "Public API"):
//  - status only moves forward (queued < initiated < ringing < in_progress < terminal) and a
//    terminal status absorbs everything after it, so a late `ringing` never regresses a call;
//  - a report older than one already applied (provider sequence, e.g. a callback's SequenceNumber)
//    cannot move the status, but may fill a field still missing (answer time, duration);
//  - a report that changes nothing (a duplicate) leaves the call, and its version, untouched;
//  - a report whose provider event id (a webhook's own id) was already applied is a redelivery and
//    changes nothing;
//  - a call that was answered ends COMPLETED whatever terminal word ends it (a WebRTC SDK's
//    hangup may reach the provider as USER_BUSY after answer; the talk happened), the word and the
//    hangup cause staying in provider_status and hangup;
//  - when no report carries a duration (providers that send none), an answered call's duration is
//  the whole
//    seconds from answer to end, until a provider-reported duration replaces it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "callcontrol/v1/call.pb.h"
#include "common/config/config.h"

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
  std::string error_message;      // set by StartCall when the provider refused
  std::string provider_event_id;  // "" = the provider gives none
  std::optional<v1::Hangup> hangup;
  std::optional<v1::Recording> recording;
  std::optional<v1::Money> price;  // the provider's price for the whole call
};

// Per-call bookkeeping kept next to the Call, persisted with it.
struct CallProgress {
  // Most provider event ids remembered per call (a call sees a handful of webhooks;
  // providers redeliver within minutes).
  static constexpr size_t kMaxEventIds = 64;

  int64_t last_provider_sequence = -1;
  std::vector<std::string>
      applied_event_ids;  // oldest first (a deque would cost 600 B per call even when empty)
  bool duration_derived = false;  // duration is answer-to-end, not the provider's figure
  // The dial's outcome is unknown (internal.v1.CallProgress.dial_unconfirmed), and a hangup
  // waits for the provider id (hangup_requested).
  bool dial_unconfirmed = false;
  bool hangup_requested = false;

  // Compact serialization for the store (internal.v1.CallProgress); Parse of "" gives the
  // default. Parse returns false for bytes that do not parse.
  std::string Serialize() const;
  bool Parse(const std::string& bytes);
};

// Applies `report` to `call` at time `now`. Returns true if the call changed; then `version` is
// incremented and `update_time` is `now`. `call.status` must not be UNSPECIFIED.
// Also, even on an ended call: a recording is added (or updated, matched by recording id, else
// URL); a provider price replaces the cost. Once the call has ended, billable_seconds and (unless
// the provider priced it) cost follow from its duration and `rate` (billing.h; nullptr = none).
bool ApplyReport(const ProviderReport& report, absl::Time now, v1::Call* call,
                 CallProgress* progress, const config::Rate* rate = nullptr);

// Converts between absl::Time and google.protobuf.Timestamp.
void SetTimestamp(absl::Time t, google::protobuf::Timestamp* ts);
absl::Time FromTimestamp(const google::protobuf::Timestamp& ts);
// True for a google.protobuf.Timestamp its spec allows: 0001-01-01T00:00:00Z to
// 9999-12-31T23:59:59.999999999Z, nanos 0 to 999,999,999.
bool IsValidTimestamp(const google::protobuf::Timestamp& ts);

}  // namespace callcontrol::calls
