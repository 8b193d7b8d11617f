// Twilio call status callbacks (the form Twilio POSTs to a call's StatusCallback URL) turned into
// the ReportProviderEventRequest the adapter sends to callcontrold. Field names and meanings:
// https://www.twilio.com/docs/voice/api/call-resource#statuscallback (parameters) and
// https://www.twilio.com/docs/voice/twiml#callstatus-values (CallStatus words); fixtures
// tests/fixtures/twilio_status_*.form. The signature is checked before this runs
// (twilio_signature.h); this module only reads fields. Thread-safe (pure functions).
#pragma once

#include <string_view>

#include "absl/status/statusor.h"
#include "callcontrol/internal/v1/provider_event_service.pb.h"
#include "callcontrol/v1/call.pb.h"
#include "common/http/form.h"

namespace callcontrol::twilio {

// Builds the daemon request for one status callback of `tenant_id`.
//   `call_id`: callcontrol's call id from the StatusCallback URL's `call_id` query parameter
//              ("" when absent: a call callcontrol did not place).
//   `form`:    the decoded form body.
// Mapping: CallSid -> provider_ids.call_sid (required, "CA" + 32 hex digits); CallStatus ->
// provider_status verbatim (required) and status via twilio::NormalizeCallStatus (an unknown word
// gives CALL_STATUS_UNSPECIFIED and a warning naming call_sid and the word; the request is still
// built so the daemon can acknowledge it); SequenceNumber -> provider_sequence (-1 if absent);
// Timestamp (RFC 2822) -> occurred_time (left unset, logged at debug, if unparsable);
// CallDuration -> duration_seconds in whole seconds (-1 if absent); Direction -> direction;
// From, To; SipResponseCode -> sip_response_code (0 if absent). A numeric field sent empty counts
// as absent.
// Returns kInvalidArgument naming the field when CallSid or CallStatus is missing or malformed, or
// a numeric field (SequenceNumber, CallDuration, SipResponseCode) is not a non-negative decimal.
absl::StatusOr<internal::v1::ReportProviderEventRequest> ParseTwilioStatusCallback(
    std::string_view tenant_id, std::string_view call_id, const http::FormParams& form);

// The direction of a Twilio `Direction` value: "inbound" -> INBOUND; "outbound-api" and
// "outbound-dial" -> OUTBOUND; anything else (absent included) -> UNSPECIFIED.
v1::CallDirection ParseTwilioDirection(std::string_view direction);

// True for a Twilio CallSid: "CA" followed by 32 hex digits (either case).
bool IsTwilioCallSid(std::string_view s);

}  // namespace callcontrol::twilio
