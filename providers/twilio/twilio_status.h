// Twilio's call status words (`CallStatus` in status callbacks, `status` in the Call resource)
// and the normalized status each maps to. Source: twilio-oai `call_enum_status`
// (queued ringing in-progress completed busy failed no-answer canceled) plus `initiated`, which
// status callbacks send for StatusCallbackEvent=initiated, and `answered`, the event name some
// Twilio-compatible providers send instead of `in-progress`.
#pragma once

#include <string_view>

#include "callcontrol/v1/call.pb.h"

namespace callcontrol::twilio {

// Returns the normalized status of a Twilio status word, or CALL_STATUS_UNSPECIFIED for a word
// not in the table (the caller logs it and leaves the call alone). Case-sensitive, as Twilio
// always sends lower case.
v1::CallStatus NormalizeCallStatus(std::string_view twilio_status);

// The Twilio word for a normalized status ("in-progress" for IN_PROGRESS...); "" for UNSPECIFIED.
std::string_view TwilioCallStatusWord(v1::CallStatus status);

}  // namespace callcontrol::twilio
