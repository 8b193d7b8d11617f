// The Bolna execution parser beneath the webhook-token check (providers/bolna/bolna_execution.h):
// the input is "<call_id>\n<JSON body>" (no '\n': all body) for ParseBolnaExecution, whose report
// goes through CheckReport (field ranges, CheckStringFields, wire round trip); the first line
// also goes to ParseBolnaCallType. Invariant (trap): an accepted body names an execution id.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "providers/bolna/bolna_execution.h"
#include "tools/fuzz/fuzz_support.h"

namespace fuzz = callcontrol::fuzz;
namespace bolna = callcontrol::bolna;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view call_id;
  std::string_view body;
  fuzz::SplitFirstLine(std::string_view(reinterpret_cast<const char*>(data), size), &call_id,
                       &body);
  (void)fuzz::FuzzConfig();  // logging off

  (void)bolna::ParseBolnaCallType(call_id);
  const auto report = bolna::ParseBolnaExecution("globex", call_id, body);
  if (!report.ok()) return 0;
  fuzz::Require(!report->provider_ids().execution_id().empty());
  fuzz::Require(report->call_id() == call_id);
  fuzz::CheckReport(*report);
  return 0;
}
