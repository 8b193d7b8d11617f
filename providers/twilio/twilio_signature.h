// X-Twilio-Signature: how Twilio signs the webhooks it sends, and how to check them.
//
// Algorithm (twilio-python request_validator.py, twilio-node webhooks.ts;
// https://www.twilio.com/docs/usage/security#validating-requests): take the full URL Twilio
// requested; for a form POST append, for each parameter name in byte order and each of its
// distinct values in byte order, name then value with no separator; HMAC-SHA1 the result with the
// account's auth token; base64 it. Thread-safe (pure functions).
#pragma once

#include <string>
#include <string_view>

#include "common/http/form.h"

namespace callcontrol::twilio {

// Returns the base64 signature Twilio would send for a form POST of `params` to `url`.
std::string ComputeSignature(std::string_view auth_token, std::string_view url,
                             const http::FormParams& params);

// True when `signature` (the X-Twilio-Signature header) matches `url` + `params` under
// `auth_token`, compared in constant time. Like Twilio's own validators it also accepts the URL
// with its port removed, or with the scheme's default port (443/80) added, because proxies
// disagree on whether the port is part of the URL. An empty signature or token never matches.
bool ValidateSignature(std::string_view auth_token, std::string_view url,
                       const http::FormParams& params, std::string_view signature);

// `url` without an explicit port ("https://h:8443/p" -> "https://h/p"); unchanged if it has none.
std::string UrlWithoutPort(std::string_view url);

// `url` with the scheme's default port made explicit ("https://h/p" -> "https://h:443/p");
// unchanged if it already has a port or the scheme is neither http nor https.
std::string UrlWithDefaultPort(std::string_view url);

}  // namespace callcontrol::twilio
