// Twilio recording status callbacks (the form Twilio POSTs to a recording's
// RecordingStatusCallback URL) turned into the ReportProviderEventRequest the adapter sends to
// callcontrold. Parameters: https://www.twilio.com/docs/voice/api/recording#recordingstatuscallback
// (AccountSid, CallSid, RecordingSid, RecordingUrl, RecordingStatus, RecordingDuration,
// RecordingChannels, RecordingStartTime, RecordingSource, RecordingTrack, ErrorCode); fixture
// tests/fixtures/twilio_recording_status_completed.form. The signature is checked before this
// runs (twilio_signature.h). Thread-safe (pure functions).
#pragma once

#include <string_view>

#include "absl/status/statusor.h"
#include "callcontrol/internal/v1/provider_event_service.pb.h"
#include "common/http/form.h"

namespace callcontrol::twilio {

// Builds the daemon request for one recording status callback of `tenant_id`.
//   `call_id`: the `call_id` query parameter of the callback URL ("" when absent).
//   `form`:    the decoded form body.
// Mapping: CallSid -> provider_ids.call_sid (required, "CA" + 32 hex digits); RecordingSid ->
// recording.recording_id; RecordingUrl -> recording.url; RecordingStatus -> recording.status
// ("completed" when absent), and provider_status "recording:<RecordingStatus>" for diagnostics;
// RecordingDuration -> recording.duration_seconds (whole seconds; 0 when absent, empty or "-1",
// which Twilio sends while it does not know). status is CALL_STATUS_UNSPECIFIED (a recording does
// not move the call), provider TWILIO, provider_sequence and duration_seconds -1,
// sip_response_code 0.
// Returns kInvalidArgument naming the field when CallSid is missing or malformed, both
// RecordingSid and RecordingUrl are missing (the daemon identifies a recording by one of them), or
// RecordingDuration is not a non-negative integer.
absl::StatusOr<internal::v1::ReportProviderEventRequest> ParseTwilioRecordingCallback(
    std::string_view tenant_id, std::string_view call_id, const http::FormParams& form);

}  // namespace callcontrol::twilio
