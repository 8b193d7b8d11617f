// Shared plumbing of the provider REST clients the daemon runs (telephony and voice clone):
// the per-thread HTTP client, transport-failure wording, JSON member reading and the provider
// error code carried in an absl::Status payload. Used by the REST clients in providers/<name>/ and
// server/providers (voice clone).
#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/http/http_client.h"
#include "nlohmann/json.hpp"

namespace callcontrol::providers {

// This thread's HTTP client (keeps its connections alive between requests). Not shared across
// threads, so every worker thread gets its own.
http::HttpClient& ThreadHttpClient();

// A string or integer member `name` of `object` as text (integers in decimal), or "" when
// `object` is not an object, the member is missing, or it has another JSON type.
std::string JsonStringField(const nlohmann::json& object, const char* name);

// How SendToProvider words a failure where no HTTP response came back; `<why>` is the transport
// error text.
struct TransportErrorWording {
  // kUnavailable "<unreachable>: <why>" (refused, reset, DNS failure; also timeouts and bad URLs
  // when the fields below are empty).
  std::string_view unreachable = {};
  // kUnavailable "<timed_out> timed out after <request.timeout ms> ms: <why>" on a timeout;
  // empty: a timeout is worded as unreachable.
  std::string_view timed_out = {};
  // kInvalidArgument "<bad_url>: <why>" for a malformed URL; empty: worded as unreachable
  // (kUnavailable).
  std::string_view bad_url = {};
};

// Sends `request` on ThreadHttpClient(). Returns the response whatever its HTTP status; a
// transport failure becomes the status described by `wording`, keeping
// http::kRequestSentPayload when the request may have reached the provider (a timeout or a reset
// after it went out: the provider may have acted; see http::RequestMayHaveArrived).
absl::StatusOr<http::ClientResponse> SendToProvider(const TransportErrorWording& wording,
                                                    const http::ClientRequest& request);

// Same, worded "<provider_name> unreachable: <why>" and "<provider_name> timed out after <ms>
// ms: <why>" (both kUnavailable; a malformed URL counts as unreachable).
absl::StatusOr<http::ClientResponse> SendToProvider(std::string_view provider_name,
                                                    const http::ClientRequest& request);

// `status` with the provider error `code` attached as payload `payload_key` (decimal text).
// Returns `status` unchanged when it is OK (an OK status carries no payload).
absl::Status WithErrorCode(absl::Status status, std::string_view payload_key, int code);

// The provider error code attached by WithErrorCode under `payload_key`, or 0 when there is
// none (or it is not a number).
int ErrorCodeOf(const absl::Status& status, std::string_view payload_key);

}  // namespace callcontrol::providers
