// application/x-www-form-urlencoded bodies and query strings (WHATWG URL "urlencoded" parsing:
// '+' is a space, %XX is a byte; https://url.spec.whatwg.org/#urlencoded-parsing), decoded with
// libcurl's curl_easy_unescape and encoded with curl_easy_escape.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace callcontrol::http {

// Name/value pairs in wire order; a name may repeat (e.g. a provider's list-valued parameter).
using FormParams = std::vector<std::pair<std::string, std::string>>;

// Parses `a=1&b=x+y&c=%2B`. Empty segments are skipped; a segment without '=' is a name with an
// empty value. Returns kInvalidArgument on a malformed %-escape or an embedded NUL.
absl::StatusOr<FormParams> ParseForm(std::string_view body);

// Encodes pairs as a form body: RFC 3986 unreserved characters stay, everything else is %XX.
std::string EncodeForm(const FormParams& params);

// Percent-encodes one component (RFC 3986 unreserved characters are kept).
std::string PercentEncode(std::string_view s);

// Decodes %XX escapes in one URL component such as a path segment (RFC 3986 section 2.1; unlike
// form data, '+' stays '+'). Returns kInvalidArgument on a malformed escape or a decoded NUL.
absl::StatusOr<std::string> PercentDecode(std::string_view s);

// Returns the first value of `name`, or nullptr.
const std::string* FindParam(const FormParams& params, std::string_view name);

}  // namespace callcontrol::http
