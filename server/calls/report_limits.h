// What the daemon accepts in a provider event (ReportProviderEvent, each event of
// BatchReportProviderEvents, StartInboundCall): the limits every field must meet before the
// event can select or change a call. The adapter already refuses most of this with a 400; the
// daemon checks again because it is the only writer and must not trust a caller's parser.
// Pure functions, thread-safe.
#pragma once

#include <cstdint>

#include "absl/status/status.h"
#include "callcontrol/internal/v1/provider_event_service.pb.h"
#include "callcontrol/v1/call.pb.h"

namespace callcontrol::calls {

// The longest call callcontrol bills: 7 days, beyond every provider's own limit (a Twilio
// call's time limit is at most 24 h, https://www.twilio.com/docs/voice/api/call-resource
// `TimeLimit`). A reported duration above it is refused; a derived one is capped at it.
inline constexpr int64_t kMaxCallSeconds = 7 * 24 * 3600;
// The largest price a provider may report for one call: 10^12 micros (1,000,000 units of any
// currency), so totals over millions of calls stay far inside 64 bits.
inline constexpr int64_t kMaxPriceMicros = 1'000'000'000'000;
// The most recordings one call keeps; later new ones are dropped (and logged nowhere: they are
// acknowledged, as a provider's redelivery would be).
inline constexpr size_t kMaxRecordingsPerCall = 100;
// The most other legs one call is linked to (linked_call_ids).
inline constexpr size_t kMaxLinkedCalls = 32;
// A provider id (CallSid, call_control_id, call_leg_id, call_session_id, execution id): 1 to
// 128 bytes of [A-Za-z0-9._:~+=-] (Twilio "CA" + 32 hex digits, Telnyx "v3:" + base64url and
// UUIDs, Exotel 32 hex digits, Bolna UUIDs).
inline constexpr size_t kMaxProviderIdBytes = 128;

// Checks one provider id as above; `name` is used in the message. "" passes.
absl::Status CheckProviderId(const std::string& id, const char* name);
// Every id of `ids`.
absl::Status CheckProviderIds(const v1::ProviderIds& ids);

// Checks a provider event before it is looked at:
//  - every string field is UTF-8 of at most 4 KiB (common/proto/field_limits.h);
//  - provider ids as above; call_id, if set, has the shape of a callcontrol id (call_ + 1 to
//    64 of [A-Za-z0-9_-]);
//  - duration_seconds is -1 (unknown) or 0 to kMaxCallSeconds; recording duration 0 to
//    kMaxCallSeconds; price |amount_micros| at most kMaxPriceMicros with a 3-letter currency;
//  - occurred_time, if set, is a valid timestamp (years 1 to 9999, nanos 0 to 999,999,999).
// Returns kInvalidArgument naming the field; the message never quotes the value.
absl::Status CheckProviderEvent(const internal::v1::ReportProviderEventRequest& request);

// StartInboundCall: string fields and provider ids as above.
absl::Status CheckInboundCall(const internal::v1::StartInboundCallRequest& request);

}  // namespace callcontrol::calls
