// What a call status means, shared by the daemon and callctl. Thread-safe (pure functions).
#pragma once

#include "callcontrol/v1/call.pb.h"

namespace callcontrol {

// True for COMPLETED, BUSY, NO_ANSWER, FAILED and CANCELED: the call never changes again
// (the forward-only order of call_state_machine.h).
bool IsTerminal(v1::CallStatus status);

}  // namespace callcontrol
