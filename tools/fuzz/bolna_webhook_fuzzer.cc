// Bolna's whole webhook handler (providers/bolna/bolna_webhook_handler.h):
// BolnaWebhookHandler::Handle on a request in the fuzz_support.h format: the webhook token
// (X-Webhook-Token header or `token` query parameter; "@token" is the configured one), method,
// query (call_id), Content-Type and JSON body from the input. Every outcome goes through
// CheckOutcome.
#include <cstddef>
#include <cstdint>

#include "tools/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  callcontrol::fuzz::FuzzHandler("bolna", data, size);
  return 0;
}
