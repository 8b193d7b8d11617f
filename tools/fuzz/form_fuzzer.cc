// application/x-www-form-urlencoded parsing (common/http/form.h), which every form body and every
// query string of the adapter goes through: ParseForm and PercentDecode on the whole input.
// Invariants (trap): no decoded name or value holds a NUL; EncodeForm of what ParseForm returned
// parses back to the same pairs; PercentEncode of what PercentDecode returned decodes back to it.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/http/form.h"
#include "tools/fuzz/fuzz_support.h"

namespace http = callcontrol::http;
using callcontrol::fuzz::Require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto form = http::ParseForm(input);
  if (form.ok()) {
    for (const auto& [name, value] : *form) {
      Require(name.find('\0') == std::string::npos && value.find('\0') == std::string::npos);
    }
    const auto again = http::ParseForm(http::EncodeForm(*form));
    Require(again.ok());
    // Empty names with empty values are dropped by neither side: the pairs must match exactly.
    Require(*again == *form);
  }
  const auto decoded = http::PercentDecode(input);
  if (decoded.ok()) {
    const auto again = http::PercentDecode(http::PercentEncode(*decoded));
    Require(again.ok() && *again == *decoded);
  }
  return 0;
}
