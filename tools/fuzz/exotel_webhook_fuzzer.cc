// Exotel's whole webhook handler (providers/exotel/exotel_webhook_handler.h):
// ExotelWebhookHandler::Handle on a request in the fuzz_support.h format: the webhook token
// (X-Webhook-Token header or `token` query parameter; "@token" is the configured one), method,
// query (call_id), Content-Type (form or JSON) and body from the input. Every outcome goes
// through CheckOutcome.
#include <cstddef>
#include <cstdint>

#include "tools/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  callcontrol::fuzz::FuzzHandler("exotel", data, size);
  return 0;
}
