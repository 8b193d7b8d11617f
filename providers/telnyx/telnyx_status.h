// Telnyx Call Control webhook events and the normalized status each moves a call to: the one
// table from `data.event_type` (and, for `call.hangup`, `data.payload.hangup_cause`) to
// callcontrol.v1.CallStatus.
// Sources: the Telnyx callback reference (https://developers.telnyx.com/api-reference/callbacks/,
// e.g. .../call-hangup for the hangup causes) and telnyx-python's generated types
// (src/telnyx/types/call_initiated.py, call_answered.py, call_bridged.py, call_hangup.py:
// hangup_cause ∈ call_rejected normal_clearing originator_cancel timeout time_limit user_busy
// not_found no_answer unspecified).
// Thread-safe (pure functions over constant tables).
#pragma once

#include <string_view>

#include "callcontrol/v1/call.pb.h"

namespace callcontrol::telnyx {

inline constexpr std::string_view kCallHangup = "call.hangup";

// The terminal status of a `call.hangup` with `hangup_cause`:
//   normal_clearing, time_limit  -> COMPLETED
//   user_busy, call_rejected     -> BUSY
//   timeout, no_answer           -> NO_ANSWER
//   originator_cancel            -> CANCELED
//   not_found, unspecified, any other or missing cause -> FAILED
// The daemon's state machine turns any terminal report on an answered call into COMPLETED, so
// the cause only decides how a call that was never answered ended. Case-sensitive (Telnyx
// sends lower case).
v1::CallStatus HangupCauseStatus(std::string_view hangup_cause);

// The normalized status a webhook moves its call to:
//   call.initiated                -> INITIATED
//   call.ringing                  -> RINGING
//   call.answered, call.bridged   -> IN_PROGRESS
//   call.hangup                   -> HangupCauseStatus(hangup_cause)
//   anything else (call.recording.saved, call.dtmf.received, ...) -> UNSPECIFIED: the event does
//   not move the call.
// `hangup_cause` is only read for call.hangup.
v1::CallStatus NormalizeTelnyxEvent(std::string_view event_type, std::string_view hangup_cause);

}  // namespace callcontrol::telnyx
