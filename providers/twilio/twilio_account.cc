#include "providers/twilio/twilio_account.h"

#include <regex>

#include "common/config/json_fields.h"
#include "common/status_macros.h"
#include "nlohmann/json.hpp"

namespace callcontrol::twilio {

absl::StatusOr<std::shared_ptr<const config::ProviderAccount>> ParseTwilioAccount(
    const nlohmann::json& block, const std::string& where) {
  auto account = std::make_shared<TwilioAccount>();
  RETURN_IF_ERROR(
      config::CheckKeys(block, where, {"account_sid", "auth_token", "api_base_url", "record"}));
  RETURN_IF_ERROR(config::ReadString(block, where, "account_sid", &account->account_sid));
  RETURN_IF_ERROR(config::ReadString(block, where, "auth_token", &account->auth_token));
  RETURN_IF_ERROR(config::ReadString(block, where, "api_base_url", &account->api_base_url));
  RETURN_IF_ERROR(config::ReadBool(block, where, "record", &account->record));
  static const std::regex kAccountSid("AC[0-9a-f]{32}");
  if (!std::regex_match(account->account_sid, kAccountSid)) {
    return config::Invalid(where + ".account_sid",
                           "must be AC followed by 32 lowercase hex digits");
  }
  if (account->auth_token.empty())
    return config::Invalid(where + ".auth_token", "must not be empty");
  config::TrimTrailingSlashes(&account->api_base_url);
  RETURN_IF_ERROR(config::CheckBaseUrl(where + ".api_base_url", account->api_base_url));
  return account;
}

}  // namespace callcontrol::twilio
