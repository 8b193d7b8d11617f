// Measures the daemon's memory per active call: heap bytes (glibc mallinfo2) held by the
// in-memory registry per call once N realistic active calls (ringing, Twilio ids, E.164
// numbers, timestamps, idempotency key) are in it, with their id, CallSid and idempotency
// indexes. Usage: registry_memory [N=100000]
#include <malloc.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "server/calls/call_ids.h"
#include "server/calls/call_registry.h"
#include "server/calls/call_state_machine.h"

int main(int argc, char** argv) {
  namespace calls = callcontrol::calls;
  namespace v1 = callcontrol::v1;
  const int n = argc > 1 ? std::atoi(argv[1]) : 100000;
  calls::CallRegistry registry({});
  malloc_trim(0);
  const size_t before = mallinfo2().uordblks;
  const absl::Time now = absl::Now();
  for (int i = 0; i < n; ++i) {
    v1::Call call;
    call.set_call_id(calls::NewCallId(now + absl::Microseconds(i)));
    call.set_tenant_id("acme");
    call.set_provider(v1::PROVIDER_TWILIO);
    char sid[40];
    std::snprintf(sid, sizeof(sid), "CA%032x", i);
    call.mutable_provider_ids()->set_call_sid(sid);
    call.set_direction(v1::CALL_DIRECTION_OUTBOUND);
    call.set_from("+15005550006");
    call.set_to("+14155550100");
    call.set_status(v1::CALL_STATUS_RINGING);
    call.set_provider_status("ringing");
    calls::SetTimestamp(now, call.mutable_create_time());
    calls::SetTimestamp(now, call.mutable_update_time());
    call.set_idempotency_key("order-" + std::to_string(1000000 + i));
    call.set_version(4);
    registry.Add(std::move(call), std::string(64, 'f'));
  }
  const size_t after = mallinfo2().uordblks;
  std::printf("registry_memory: %d active calls, %.0f bytes of heap per call (%.1f MiB total)\n", n,
              static_cast<double>(after - before) / n, (after - before) / 1048576.0);
  return registry.size() == static_cast<size_t>(n) ? 0 : 1;
}
