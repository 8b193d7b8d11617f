// Exotel's call status words (the `Status` of a StatusCallback and of the Call Details API) and
// the normalized status each maps to: the one table for Exotel, read by the status callback parser
// (exotel_callback.h). Sources: https://developer.exotel.com/api/statuscallback (completed, failed,
// busy, no-answer); the rest are the words the team's status spec
// lists for every provider, so a hyphenated or underscore spelling is understood too.
// Thread-safe (pure functions over a constant table).
#pragma once

#include <string_view>

#include "callcontrol/v1/call.pb.h"

namespace callcontrol::exotel {

// The normalized status of an Exotel status word, compared case-insensitively:
//   queued                                        -> QUEUED
//   initiated                                     -> INITIATED
//   ringing                                       -> RINGING
//   answered, in-progress, in_progress, ongoing   -> IN_PROGRESS
//   completed, ended, finished                    -> COMPLETED
//   busy                                          -> BUSY
//   no-answer, no_answer                          -> NO_ANSWER
//   failed, error                                 -> FAILED
//   canceled, cancelled                           -> CANCELED
// Any other word (empty included) gives CALL_STATUS_UNSPECIFIED: the caller logs it and reports
// the event without moving the call.
v1::CallStatus NormalizeExotelStatus(std::string_view status);

}  // namespace callcontrol::exotel
