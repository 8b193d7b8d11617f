#include "server/api/authenticator.h"

#include <openssl/crypto.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"

namespace callcontrol::api {
namespace {

constexpr absl::string_view kBearer = "bearer ";

}  // namespace

absl::StatusOr<std::string> BearerToken(const grpc::ServerContextBase& context) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find("authorization");
  if (it == metadata.end()) {
    return absl::UnauthenticatedError("missing \"authorization: Bearer <api key>\" metadata");
  }
  const absl::string_view value(it->second.data(), it->second.size());
  if (value.size() <= kBearer.size() || !absl::StartsWithIgnoreCase(value, kBearer)) {
    return absl::UnauthenticatedError("authorization metadata must be \"Bearer <api key>\"");
  }
  return std::string(absl::StripAsciiWhitespace(value.substr(kBearer.size())));
}

absl::StatusOr<const config::TenantConfig*> Authenticator::Tenant(
    const grpc::ServerContextBase& context) const {
  auto key = BearerToken(context);
  if (!key.ok()) return key.status();
  const config::TenantConfig* tenant = config_->FindTenantByApiKey(*key);
  if (tenant == nullptr) return absl::UnauthenticatedError("API key not recognized");
  return tenant;
}

absl::Status Authenticator::CheckInternal(const grpc::ServerContextBase& context) const {
  auto key = BearerToken(context);
  if (!key.ok()) return key.status();
  // Digests have one length, so the comparison time says nothing about the key's length either.
  const std::string presented = config::HashApiKey(*key);
  const std::string expected = config::HashApiKey(config_->daemon.internal_api_key);
  if (CRYPTO_memcmp(presented.data(), expected.data(), expected.size()) != 0) {
    return absl::UnauthenticatedError("internal API key not recognized");
  }
  return absl::OkStatus();
}

}  // namespace callcontrol::api
