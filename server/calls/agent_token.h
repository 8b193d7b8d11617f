// The short-lived token the agent side of a clone-flow call receives in the <Stream> parameters
// instead of any API key: "v1.<payload>.<signature>", payload = base64url(JSON {"call_id",
// "tenant_id","voice_id","exp"}), signature = base64url(HMAC-SHA256(secret, payload)) (RFC 2104
// via OpenSSL). The agent verifies it with the tenant's agent_token_secret and rejects it after
// `exp` (unix seconds). Pure, thread-safe.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace callcontrol::calls {

struct AgentClaims {
  std::string call_id;
  std::string tenant_id;
  std::string voice_id;
  absl::Time expires;
};

std::string MakeAgentToken(const AgentClaims& claims, const std::string& secret);

// Checks the signature (constant time) and expiry at `now`. kUnauthenticated when either fails
// or the token is malformed.
absl::StatusOr<AgentClaims> VerifyAgentToken(const std::string& token, const std::string& secret,
                                             absl::Time now);

}  // namespace callcontrol::calls
