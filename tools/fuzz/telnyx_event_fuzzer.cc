// The Telnyx JSON parsers beneath the Ed25519 check (providers/telnyx/telnyx_event.h): the whole
// input is a webhook body for ParseTelnyxEventType and ParseTelnyxWebhook (its report through
// CheckReport: field ranges, CheckStringFields, wire round trip), and a client_state for
// CallIdFromClientState. Invariants (trap): a body ParseTelnyxWebhook accepts has an event type
// ParseTelnyxEventType accepts too, and is reported as that type (call.hangup with its cause); a
// call id taken from client_state is "call_" + [A-Za-z0-9_-], 64 bytes at most.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/strings/match.h"
#include "providers/telnyx/telnyx_event.h"
#include "tools/fuzz/fuzz_support.h"

namespace fuzz = callcontrol::fuzz;
namespace telnyx = callcontrol::telnyx;

namespace {

bool IsCallId(const std::string& id) {
  if (id.size() > 64 || id.rfind("call_", 0) != 0) return false;
  for (const char c : id) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  (void)fuzz::FuzzConfig();  // logging off

  const std::string call_id = telnyx::CallIdFromClientState(body);
  fuzz::Require(call_id.empty() || IsCallId(call_id));

  const auto event_type = telnyx::ParseTelnyxEventType(body);
  if (event_type.ok()) (void)telnyx::IsCallStateEvent(*event_type);
  const auto report = telnyx::ParseTelnyxWebhook("acme", body);
  if (!report.ok()) return 0;
  fuzz::Require(event_type.ok());
  fuzz::Require(report->provider_status() == *event_type ||
                (*event_type == "call.hangup" &&
                 absl::StartsWith(report->provider_status(), "call.hangup:")));
  fuzz::Require(report->call_id().empty() || IsCallId(report->call_id()));
  fuzz::Require(!report->provider_ids().call_control_id().empty());
  fuzz::CheckReport(*report);
  return 0;
}
