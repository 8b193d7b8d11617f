// What the fuzz targets of tools/fuzz share (each <name>_fuzzer.cc is a thin
// LLVMFuzzerTestOneInput over it; README.md lists them):
//   - the invariants every target checks, each a __builtin_trap() so libFuzzer reports it as a
//     crash: a daemon request that passes proto::CheckStringFields must round-trip through the
//     wire format (the adapter sends only what passes, and the daemon must parse what it gets);
//   - a fixed configuration (FuzzConfig) with one tenant per kind of secret, so the handlers'
//     verification can be passed on purpose;
//   - the request format of the handler and routing targets (ParseFuzzRequest), an HTTP-like
//     text a person can write a seed in, with placeholders the harness fills with a valid
//     signature or token so the fuzzer reaches the parsing behind the verification.
// Logging is switched off (refusals would otherwise log on every input).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/config/config.h"
#include "common/http/http_server.h"
#include "google/protobuf/message.h"
#include "providers/provider.h"

namespace callcontrol::fuzz {

// Traps unless `condition` holds: an invariant the code under test broke.
inline void Require(bool condition) {
  if (!condition) __builtin_trap();
}

// The check the adapter makes before it sends `message` to the daemon (webhook_router.cc
// CarryOut): proto::CheckStringFields. When it passes, `message` must serialize, parse back and
// compare equal (else trap). Returns whether it passed.
bool CheckOutgoing(const google::protobuf::Message& message);

// CheckOutgoing on `report`, and the ranges every parser documents (traps otherwise):
// duration_seconds and provider_sequence >= -1, sip_response_code, recording.duration_seconds and
// price.amount_micros >= 0, and an occurred_time inside google.protobuf.Timestamp's range
// (0001-01-01 to 9999-12-31, nanos 0..999999999). Returns CheckOutgoing's answer.
bool CheckReport(const internal::v1::ReportProviderEventRequest& report);

// CheckOutgoing (CheckReport for a report) on whatever daemon request `outcome` carries (report,
// start_inbound or clone_progress, by its action). Also traps on an outcome that is internally
// inconsistent: a verification failure that is not a 403 kRespond, or a kRespond whose status is
// not a valid HTTP status.
void CheckOutcome(const providers::WebhookOutcome& outcome);

// With CALLCONTROL_FUZZ_VERBOSE set in the environment, prints the outcome's action, HTTP status
// and body to stderr (to see where a seed gets; off while fuzzing).
void PrintOutcome(const providers::WebhookOutcome& outcome);

// The configuration the handler targets use (built once, through providers::ParseConfig):
//   "acme"    twilio (auth_token kTwilioAuthToken), telnyx (public key of kTelnyxPrivateKey) and
//             exotel blocks, webhook_token kWebhookToken; provider twilio.
//   "globex"  bolna, webhook_token kOtherWebhookToken (a second token, so a valid token of the
//             wrong tenant is tried).
//   "initech" twilio with another auth token and no webhook token (404 for exotel and bolna).
// public_url is kPublicUrl.
const config::Config& FuzzConfig();

inline constexpr std::string_view kPublicUrl = "https://hooks.example.com";
inline constexpr std::string_view kTwilioAuthToken = "fuzz-twilio-auth-token";
inline constexpr std::string_view kWebhookToken = "fuzz-webhook-token-0123456789";
inline constexpr std::string_view kOtherWebhookToken = "fuzz-other-token-9876543210";
// The RFC 8032 section 7.1 TEST 1 seed, base64.
inline constexpr std::string_view kTelnyxPrivateKey =
    "nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=";

// The handler `provider` (a registry name) builds from FuzzConfig(); never null for the four
// providers. Built once per provider.
const providers::WebhookHandler& HandlerFor(std::string_view provider);

// Turns fuzz input into a request as the HTTP server hands it over (http_server.cc: path and
// query split off the target at the first '?', header names lower-cased):
//
//   <METHOD> <target>\n          the first line; no space: all of it is the method, target ""
//   <name>: <value>\n            any number of header lines (a line without ':' is skipped)
//   \n                           a blank line, then
//   <body>                       everything after it, byte for byte
//
// Placeholders, replaced before the request is built (so a seed can pass verification):
//   "@token"  in the target or a header value -> kWebhookToken;
//   "@now"    as a header value -> the current unix time in decimal seconds.
// The signature placeholders are the provider targets' (SignTwilio, SignTelnyx).
http::Request ParseFuzzRequest(std::string_view input);

// When the request carries "x-twilio-signature: @sign", replaces it with the signature Twilio
// would send for it under kTwilioAuthToken (kPublicUrl + target, the form body's parameters); a
// body that is not a form is signed with no parameters.
void SignTwilio(http::Request* request);

// When the request carries "telnyx-signature-ed25519: @sign", replaces it with the Ed25519
// signature of its telnyx-timestamp header and body under kTelnyxPrivateKey.
void SignTelnyx(http::Request* request);

// The tenant and action of a /webhooks/{provider}/{tenant}[/{action}] path as ParseWebhookPath
// splits it (views into `path`); false when it has no tenant.
bool TenantAndAction(std::string_view path, std::string_view* tenant, std::string_view* action);

// The handler targets: ParseFuzzRequest, the signatures filled in, then `provider`'s handler on
// the tenant and action of the path, and CheckOutcome. A path without a tenant, or naming an
// action the handler does not serve, is not sent (the router never does), except to Twilio's
// handler, which guards against an out-of-range index: it gets index actions().size().
void FuzzHandler(std::string_view provider, const uint8_t* data, size_t size);

// Splits "<first line>\n<rest>" (the parser targets' input: a short field such as a call id, then
// a body); no '\n': the whole input is the body and the first line is "".
void SplitFirstLine(std::string_view input, std::string_view* first, std::string_view* rest);

}  // namespace callcontrol::fuzz
