// Telnyx's whole webhook handler (providers/telnyx/telnyx_webhook_handler.h):
// TelnyxWebhookHandler::Handle on a request in the fuzz_support.h format, with the tenant,
// method, Content-Type, telnyx-timestamp, telnyx-signature-ed25519 and JSON body from the input;
// "telnyx-timestamp: @now" and "telnyx-signature-ed25519: @sign" give a fresh, valid signature so
// the event parsing behind the Ed25519 check is reached. Every outcome goes through CheckOutcome.
#include <cstddef>
#include <cstdint>

#include "tools/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  callcontrol::fuzz::FuzzHandler("telnyx", data, size);
  return 0;
}
