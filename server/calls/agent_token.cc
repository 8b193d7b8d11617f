#include "server/calls/agent_token.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "absl/strings/escaping.h"
#include "nlohmann/json.hpp"

namespace callcontrol::calls {
namespace {

constexpr char kPrefix[] = "v1.";

std::string Sign(const std::string& payload, const std::string& secret) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(payload.data()), payload.size(), mac, &len);
  return absl::WebSafeBase64Escape(
      absl::string_view(reinterpret_cast<const char*>(mac), static_cast<size_t>(len)));
}

}  // namespace

std::string MakeAgentToken(const AgentClaims& claims, const std::string& secret) {
  const nlohmann::json body = {{"call_id", claims.call_id},
                               {"tenant_id", claims.tenant_id},
                               {"voice_id", claims.voice_id},
                               {"exp", absl::ToUnixSeconds(claims.expires)}};
  const std::string payload = absl::WebSafeBase64Escape(body.dump());
  return kPrefix + payload + "." + Sign(payload, secret);
}

absl::StatusOr<AgentClaims> VerifyAgentToken(const std::string& token, const std::string& secret,
                                             absl::Time now) {
  if (token.rfind(kPrefix, 0) != 0) return absl::UnauthenticatedError("not a v1 agent token");
  const size_t dot = token.find('.', sizeof(kPrefix) - 1);
  if (dot == std::string::npos) return absl::UnauthenticatedError("malformed agent token");
  const std::string payload = token.substr(sizeof(kPrefix) - 1, dot - (sizeof(kPrefix) - 1));
  const std::string signature = token.substr(dot + 1);
  const std::string expected = Sign(payload, secret);
  if (signature.size() != expected.size() ||
      CRYPTO_memcmp(signature.data(), expected.data(), expected.size()) != 0) {
    return absl::UnauthenticatedError("agent token signature does not verify");
  }
  std::string json_text;
  if (!absl::WebSafeBase64Unescape(payload, &json_text)) {
    return absl::UnauthenticatedError("malformed agent token payload");
  }
  const nlohmann::json body = nlohmann::json::parse(json_text, nullptr, false);
  if (!body.is_object() || !body.contains("exp") || !body["exp"].is_number_integer()) {
    return absl::UnauthenticatedError("malformed agent token payload");
  }
  AgentClaims claims;
  claims.call_id = body.value("call_id", "");
  claims.tenant_id = body.value("tenant_id", "");
  claims.voice_id = body.value("voice_id", "");
  claims.expires = absl::FromUnixSeconds(body["exp"].get<int64_t>());
  if (now >= claims.expires) return absl::UnauthenticatedError("agent token expired");
  return claims;
}

}  // namespace callcontrol::calls
