// `webhook_bench --self-test`: runs the generator briefly against an in-process HttpServer
// (common/http/http_server.h) on 127.0.0.1 that checks every request the way the adapter must
// (X-Twilio-Signature, path, no call_id, CallSid shape, per-call SequenceNumber order, fields),
// and compares what both sides counted. Checks correctness, not speed.
#pragma once

#include <ostream>

#include "absl/status/status.h"

namespace callcontrol::bench {

// Closed loop, open loop and a wrong auth token (which must get only 403s). Progress lines go to
// `log`. Returns kInternal describing the first mismatch, or the error of a run.
absl::Status RunWebhookSelfTest(std::ostream& log);

}  // namespace callcontrol::bench
