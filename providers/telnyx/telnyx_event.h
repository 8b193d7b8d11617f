// Telnyx Call Control webhooks (the JSON Telnyx POSTs to a call's webhook_url) turned into the
// ReportProviderEventRequest webhook-adapter sends to callcontrold. Envelope and payload fields:
// the Telnyx callback reference
// (https://developers.telnyx.com/api-reference/callbacks/call-initiated, call-answered,
// call-hangup); fixtures tests/fixtures/telnyx_call_{initiated,answered,hangup}.json. The
// signature is checked before this runs (telnyx_signature.h); this module only reads fields.
// Thread-safe (pure functions).
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "callcontrol/internal/v1/provider_event_service.pb.h"
#include "callcontrol/v1/call.pb.h"

namespace callcontrol::telnyx {

inline constexpr std::string_view kCallRecordingSaved = "call.recording.saved";

// True for the events worth reporting to the daemon: call.initiated, call.ringing,
// call.answered, call.bridged, call.hangup (they move the call) and call.recording.saved (it
// does not, but the daemon records it). Everything else (call.dtmf.received, call.speak.ended,
// streaming.started, ...) is acknowledged to Telnyx and dropped.
bool IsCallStateEvent(std::string_view event_type);

// The `data.event_type` of a webhook body. Returns kInvalidArgument when the body is not a JSON
// object or data.event_type is missing, empty or not a string.
absl::StatusOr<std::string> ParseTelnyxEventType(std::string_view body);

// Builds the daemon request for one webhook of `tenant_id`.
//   callcontrol's call id comes only from the signed body: `data.payload.client_state` when it
//   is base64 of "call_" followed by [A-Za-z0-9_-] (64 characters at most in all; the daemon
//   dials with client_state set so), else "" (a call callcontrol did not place). Never from the
//   URL: its query is not covered by the signature, and a replayed signed event with another
//   `?call_id=` must not name another call.
//   `body`:    the raw JSON body.
// Mapping: data.id -> provider_event_id (required); data.event_type -> provider_status verbatim
// (required), except call.hangup, which becomes "call.hangup:<hangup_cause>" so diagnostics show
// the cause; status via NormalizeTelnyxEvent (telnyx_status.h); data.occurred_at (RFC 3339,
// fractional seconds allowed) -> occurred_time (left unset, logged at debug, if unparsable);
// payload call_control_id (required), call_leg_id, call_session_id -> provider_ids;
// payload direction "incoming" -> INBOUND, "outgoing" -> OUTBOUND, else UNSPECIFIED; payload
// from, to; on call.hangup, payload hangup_cause, hangup_source, sip_hangup_cause -> hangup;
// on call.recording.saved (https://developers.telnyx.com/api-reference/callbacks/
// call-recording-saved; status UNSPECIFIED: it does not move the call), payload -> recording:
// recording_id if present (Telnyx sends one only in some bodies), url = the first non-empty of
// recording_urls.mp3, recording_urls.wav, public_recording_urls.mp3, public_recording_urls.wav
// (recording_urls expire after 10 minutes), duration_seconds = recording_ended_at -
// recording_started_at rounded to the nearest second when both parse (else 0), status
// "completed"; left unset when there is neither a URL nor an id.
// provider_sequence and duration_seconds are -1 (Telnyx sends neither; the daemon derives the
// duration), sip_response_code 0, provider TELNYX. A JSON null counts as absent.
// Returns kInvalidArgument naming the field when the body is not a JSON object, a required field
// is missing or empty, or a field has the wrong JSON type (recording_urls and
// public_recording_urls must be objects).
absl::StatusOr<internal::v1::ReportProviderEventRequest> ParseTelnyxWebhook(
    std::string_view tenant_id, std::string_view body);

// The direction of a Telnyx payload `direction`: "incoming" -> INBOUND, "outgoing" -> OUTBOUND,
// anything else (absent included) -> UNSPECIFIED.
v1::CallDirection ParseTelnyxDirection(std::string_view direction);

// The callcontrol call id carried in a `client_state` (base64 of "call_..."), or "" when
// `client_state` is not one.
std::string CallIdFromClientState(std::string_view client_state);

}  // namespace callcontrol::telnyx
