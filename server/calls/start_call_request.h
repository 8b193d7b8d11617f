// StartCall's checks, apart from any state: what a request asks to place, validated against the
// tenant's configuration and its provider's CallClient, before anything is recorded. Pure
// functions (no I/O, no lock), thread-safe; tested in
// tests/server/calls/start_call_request_test.cc.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "callcontrol/v1/call.pb.h"
#include "callcontrol/v1/call_control_service.pb.h"
#include "common/config/config.h"
#include "providers/provider.h"
#include "server/calls/provider_clients.h"

namespace callcontrol::calls {

// The largest idempotency key (printable ASCII, no spaces) and inline TwiML document taken.
inline constexpr size_t kMaxIdempotencyKey = 128;
inline constexpr size_t kMaxTwiml = 4000;

// A validated StartCall: the dial request for the tenant's provider (call_id still empty: the
// call is created next) and what tells a retry from a reuse of its idempotency key.
struct NewCall {
  const providers::CallClient* client = nullptr;  // the tenant's provider's; never null
  providers::DialRequest dial;                    // tenant, to, from, twiml, public_url set
  std::string idempotency_key;                    // "" = none
  std::string request_hash;                       // RequestHash(to, from, twiml)
};

// Validates `request` of `tenant_id` (see StartCall in call_control_service.proto):
// kInvalidArgument for an unknown tenant, a `to`/`from` that is not E.164 (from defaults to the
// tenant's default_from), a bad idempotency key or TwiML over kMaxTwiml bytes (the tenant's
// default_twiml when empty); kFailedPrecondition when the tenant's provider has no CallClient
// (its calls are placed by its own agents); and the client's own CheckStartCall errors.
absl::StatusOr<NewCall> CheckStartCall(const config::Config& config, const ProviderClients& clients,
                                       const std::string& tenant_id,
                                       const v1::StartCallRequest& request);

// Hex SHA-256 of the fields that define a StartCall.
std::string RequestHash(const std::string& to, const std::string& from, const std::string& twiml);

// The answer to a StartCall whose idempotency key already created `existing` (with
// `stored_hash`): the call itself for a retry of the same request, kAlreadyExists for a
// different request under the same key.
absl::StatusOr<v1::Call> ReplayIdempotent(const v1::Call& existing, const std::string& stored_hash,
                                          const NewCall& call);

}  // namespace callcontrol::calls
