// X-Twilio-Signature (providers/twilio/twilio_signature.h): the input is
// "<auth token>\n<url>\n<signature>\n<form body>"; ValidateSignature of the given signature,
// UrlWithoutPort and UrlWithDefaultPort on the URL. Invariants (trap): with a non-empty token,
// ComputeSignature's signature validates for the URL, and so does the signature of the URL
// without its port (the proxies' variant Twilio's validators accept too); with an empty token or
// signature nothing validates.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/http/form.h"
#include "providers/twilio/twilio_signature.h"
#include "tools/fuzz/fuzz_support.h"

namespace fuzz = callcontrol::fuzz;
namespace twilio = callcontrol::twilio;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view token;
  std::string_view url;
  std::string_view signature;
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  fuzz::SplitFirstLine(rest, &token, &rest);
  fuzz::SplitFirstLine(rest, &url, &rest);
  fuzz::SplitFirstLine(rest, &signature, &rest);
  const auto form = callcontrol::http::ParseForm(rest);
  const callcontrol::http::FormParams params = form.ok() ? *form : callcontrol::http::FormParams();

  const bool valid = twilio::ValidateSignature(token, url, params, signature);
  fuzz::Require(!valid || (!token.empty() && !signature.empty()));
  (void)twilio::UrlWithDefaultPort(url);
  const std::string without_port = twilio::UrlWithoutPort(url);

  if (token.empty()) return 0;
  const std::string computed = twilio::ComputeSignature(token, url, params);
  fuzz::Require(twilio::ValidateSignature(token, url, params, computed));
  fuzz::Require(twilio::ValidateSignature(token, url, params,
                                          twilio::ComputeSignature(token, without_port, params)));
  return 0;
}
