// `events_bench --self-test`: runs the subscribers briefly against an in-process
// CallControlService on 127.0.0.1 whose StreamEvents ends every first stream with
// RESOURCE_EXHAUSTED mid-way, then checks that each subscriber resumed from the right sequence
// and counted every event exactly once, with a latency for each. Checks correctness, not speed.
#pragma once

#include <ostream>

#include "absl/status/status.h"

namespace callcontrol::bench {

// Returns kInternal describing the first mismatch. Progress lines go to `log`.
absl::Status RunEventsSelfTest(std::ostream& log);

}  // namespace callcontrol::bench
