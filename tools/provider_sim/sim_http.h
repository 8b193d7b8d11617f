// Small request and response helpers shared by the simulator's provider APIs: JSON answers, the
// simulator's own error shape, and input checks.
#pragma once

#include <string>
#include <string_view>

#include "absl/strings/string_view.h"
#include "common/http/http_server.h"

namespace callcontrol::provider_sim {

// Debian's Abseil has its own string_view type; this bridges std::string_view to it.
inline absl::string_view AbslView(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}

// `body` as an `application/json; charset=utf-8` response with `status`.
http::Response JsonResponse(int status, std::string body);

// The simulator's own error shape for its /sim endpoints and for requests no provider would
// accept: {"error": message}.
http::Response SimError(int status, std::string message);

// Equal strings, compared in constant time (OpenSSL CRYPTO_memcmp); for credentials.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// "http://host..." or "https://host..." (scheme case-insensitive) with a host and no whitespace.
bool IsHttpUrl(std::string_view url);

// An optional '+', then 5 to 15 digits (E.164 allows 15; some providers' local numbers are
// shorter).
bool IsPhoneNumber(std::string_view number);

// True for an E.164 number: '+', a non-zero digit, then 1 to 14 digits.
bool IsE164(std::string_view number);

}  // namespace callcontrol::provider_sim
