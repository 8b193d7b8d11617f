// The Exotel callback parsers beneath the webhook-token check (providers/exotel/exotel_callback.h):
// the input is "<call_id>\n<body>" (no '\n': all body); the body is read both as a form
// (ParseForm) and as JSON (ExotelFieldsFromJson), and each set of fields goes to
// ParseExotelStatusCallback, whose report goes through CheckReport (field ranges,
// CheckStringFields, wire round trip). The first line also goes to ParseExotelTime,
// ParseDecimalMicros (a result must be >= 0) and ParseExotelDirection.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "common/http/form.h"
#include "providers/exotel/exotel_callback.h"
#include "tools/fuzz/fuzz_support.h"

namespace fuzz = callcontrol::fuzz;
namespace exotel = callcontrol::exotel;

namespace {

void Report(std::string_view call_id, const callcontrol::http::FormParams& fields) {
  const auto report = exotel::ParseExotelStatusCallback("acme", call_id, fields);
  if (!report.ok()) return;
  fuzz::Require(!report->provider_ids().call_sid().empty());
  fuzz::CheckReport(*report);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view call_id;
  std::string_view body;
  fuzz::SplitFirstLine(std::string_view(reinterpret_cast<const char*>(data), size), &call_id,
                       &body);
  (void)fuzz::FuzzConfig();  // logging off

  (void)exotel::ParseExotelTime(call_id);
  if (const auto micros = exotel::ParseDecimalMicros(call_id); micros.ok()) {
    fuzz::Require(*micros >= 0);
  }
  (void)exotel::ParseExotelDirection(call_id);

  if (const auto form = callcontrol::http::ParseForm(body); form.ok()) Report(call_id, *form);
  if (const auto json = exotel::ExotelFieldsFromJson(body); json.ok()) Report(call_id, *json);
  return 0;
}
