// Twilio's whole webhook handler (providers/twilio/twilio_webhook_handler.h): every route
// (status, recording, voice, clone-status, and an unknown action) of TwilioWebhookHandler::Handle
// on a request in the fuzz_support.h format, with the tenant, method, Content-Type, query, form
// body and X-Twilio-Signature from the input; "x-twilio-signature: @sign" is replaced by a valid
// signature so the form handling behind the check is reached. Every outcome goes through
// CheckOutcome (the daemon request must pass CheckStringFields or round-trip).
#include <cstddef>
#include <cstdint>

#include "tools/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  callcontrol::fuzz::FuzzHandler("twilio", data, size);
  return 0;
}
