// Bolna's execution status words (the `status` of a Bolna webhook / Get Execution response) and
// the normalized status each maps to: the one table for Bolna, read by bolna_execution.h. Source:
// https://www.bolna.ai/docs/list-phone-call-status (queued rescheduled initiated ringing
// in-progress call-disconnected completed; balance-low busy no-answer; canceled failed stopped
// error), plus the words the team's status spec lists for every provider.
// Thread-safe (pure functions over a constant table).
#pragma once

#include <string_view>

#include "callcontrol/v1/call.pb.h"

namespace callcontrol::bolna {

// The normalized status of a Bolna status word, compared case-insensitively:
//   queued, scheduled, rescheduled                -> QUEUED
//   initiated                                     -> INITIATED
//   ringing                                       -> RINGING
//   answered, in-progress, in_progress, ongoing   -> IN_PROGRESS
//   completed, ended, finished                    -> COMPLETED
//   busy                                          -> BUSY
//   no-answer, no_answer                          -> NO_ANSWER
//   failed, error, balance-low                    -> FAILED
//   canceled, cancelled, stopped                  -> CANCELED
//   call-disconnected                             -> UNSPECIFIED (see IsKnownBolnaStatus)
// Decisions, from Bolna's descriptions: `scheduled`/`rescheduled` are calls waiting for their slot
// (queued); `balance-low` is a call Bolna would not place (failed); `stopped` is a call "stopped
// by the user or due to no response from the telephony provider" before it was answered
// (canceled; the daemon turns any end of an answered call into COMPLETED anyway);
// `call-disconnected` says the call hung up while Bolna still processes it, and the final status
// (`completed`, `busy`, ...) follows, so it moves nothing.
// Any other word (empty included) gives CALL_STATUS_UNSPECIFIED.
v1::CallStatus NormalizeBolnaStatus(std::string_view status);

// True for a word of the table above, `call-disconnected` included: a word that gives
// UNSPECIFIED but is known needs no warning.
bool IsKnownBolnaStatus(std::string_view status);

}  // namespace callcontrol::bolna
