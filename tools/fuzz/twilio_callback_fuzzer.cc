// The Twilio form parsers beneath the signature check (providers/twilio/): the input is
// "<call_id>\n<form body>" (no '\n': all body); the body goes through ParseForm and then both
// ParseTwilioStatusCallback and ParseTwilioRecordingCallback, whose reports go through CheckReport
// (field ranges, CheckStringFields, wire round trip). The first line also goes to ParseTwilioTime,
// ParseTwilioDirection and IsTwilioCallSid; a time that parses must format and parse back to
// itself.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/http/form.h"
#include "providers/twilio/twilio_recording_callback.h"
#include "providers/twilio/twilio_status_callback.h"
#include "providers/twilio/twilio_time.h"
#include "tools/fuzz/fuzz_support.h"

namespace fuzz = callcontrol::fuzz;
namespace twilio = callcontrol::twilio;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view call_id;
  std::string_view body;
  fuzz::SplitFirstLine(std::string_view(reinterpret_cast<const char*>(data), size), &call_id,
                       &body);
  (void)fuzz::FuzzConfig();  // logging off

  if (const auto time = twilio::ParseTwilioTime(call_id); time.ok()) {
    const auto again = twilio::ParseTwilioTime(twilio::FormatTwilioTime(*time));
    fuzz::Require(again.ok() && *again == *time);
  }
  (void)twilio::ParseTwilioDirection(call_id);
  (void)twilio::IsTwilioCallSid(call_id);

  const auto form = callcontrol::http::ParseForm(body);
  if (!form.ok()) return 0;
  if (const auto status = twilio::ParseTwilioStatusCallback("acme", call_id, *form); status.ok()) {
    fuzz::Require(twilio::IsTwilioCallSid(status->provider_ids().call_sid()));
    fuzz::CheckReport(*status);
  }
  if (const auto recording = twilio::ParseTwilioRecordingCallback("acme", call_id, *form);
      recording.ok()) {
    fuzz::Require(twilio::IsTwilioCallSid(recording->provider_ids().call_sid()));
    fuzz::CheckReport(*recording);
  }
  return 0;
}
