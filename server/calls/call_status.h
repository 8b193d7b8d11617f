// Ordering of the normalized call status (DESIGN.md): queued < initiated < ringing <
// in_progress < terminal, and terminal statuses absorb. Pure functions, thread-safe.
#pragma once

#include <string_view>

#include "callcontrol/v1/call.pb.h"
#include "common/call_status.h"

namespace callcontrol::calls {

// True for COMPLETED, BUSY, NO_ANSWER, FAILED and CANCELED (common/call_status.h).
using ::callcontrol::IsTerminal;

// Position in the forward-only order: UNSPECIFIED -1, QUEUED 0, INITIATED 1, RINGING 2,
// IN_PROGRESS 3, every terminal status 4.
int StatusRank(v1::CallStatus status);

// "in_progress" for CALL_STATUS_IN_PROGRESS, etc.; "unspecified" for UNSPECIFIED.
std::string_view StatusName(v1::CallStatus status);

}  // namespace callcontrol::calls
