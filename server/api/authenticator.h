// Who is calling: resolves the `authorization: Bearer <key>` metadata of a gRPC call to the
// tenant whose API key it is (public API), or checks it against the adapter's internal key
// (ProviderEventService). Keys are compared in constant time (config.h). Thread-safe
// (immutable).
#pragma once

#include <grpcpp/grpcpp.h>

#include <string>

#include "absl/status/statusor.h"
#include "common/config/config.h"

namespace callcontrol::api {

class Authenticator {
 public:
  // `config` must outlive the authenticator.
  explicit Authenticator(const config::Config* config) : config_(config) {}

  // The tenant the call acts for. kUnauthenticated when the metadata is missing, not of the form
  // "Bearer <key>" (scheme case-insensitive, RFC 6750 §2.1), or names no configured key; the
  // message says which, never echoing the key.
  absl::StatusOr<const config::TenantConfig*> Tenant(const grpc::ServerContextBase& context) const;

  // OK when the call carries the daemon's internal_api_key, else kUnauthenticated.
  absl::Status CheckInternal(const grpc::ServerContextBase& context) const;

 private:
  const config::Config* const config_;
};

// The key in `authorization: Bearer <key>` metadata; kUnauthenticated when absent or malformed.
absl::StatusOr<std::string> BearerToken(const grpc::ServerContextBase& context);

}  // namespace callcontrol::api
