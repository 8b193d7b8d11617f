#include "providers/telnyx/telnyx_account.h"

#include "absl/strings/escaping.h"
#include "common/config/json_fields.h"
#include "common/status_macros.h"
#include "nlohmann/json.hpp"

namespace callcontrol::telnyx {

absl::StatusOr<std::shared_ptr<const config::ProviderAccount>> ParseTelnyxAccount(
    const nlohmann::json& block, const std::string& where) {
  auto account = std::make_shared<TelnyxAccount>();
  RETURN_IF_ERROR(config::CheckKeys(
      block, where,
      {"api_key", "connection_id", "public_key", "api_base_url", "webhook_tolerance_seconds"}));
  RETURN_IF_ERROR(config::ReadString(block, where, "api_key", &account->api_key));
  RETURN_IF_ERROR(config::ReadString(block, where, "connection_id", &account->connection_id));
  RETURN_IF_ERROR(config::ReadString(block, where, "public_key", &account->public_key));
  RETURN_IF_ERROR(config::ReadString(block, where, "api_base_url", &account->api_base_url));
  RETURN_IF_ERROR(config::ReadInt(block, where, "webhook_tolerance_seconds", int64_t{1},
                                  &account->webhook_tolerance_seconds));
  RETURN_IF_ERROR(config::CheckNotEmpty(
      where, {{"api_key", &account->api_key}, {"connection_id", &account->connection_id}}));
  std::string raw;
  if (!absl::Base64Unescape(account->public_key, &raw) || raw.size() != 32) {
    return config::Invalid(where + ".public_key",
                           "must be the base64 of a 32-byte Ed25519 public key");
  }
  config::TrimTrailingSlashes(&account->api_base_url);
  RETURN_IF_ERROR(config::CheckBaseUrl(where + ".api_base_url", account->api_base_url));
  return account;
}

}  // namespace callcontrol::telnyx
