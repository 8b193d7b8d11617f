#include "providers/exotel/exotel_account.h"

#include "common/config/json_fields.h"
#include "common/status_macros.h"
#include "nlohmann/json.hpp"

namespace callcontrol::exotel {

absl::StatusOr<std::shared_ptr<const config::ProviderAccount>> ParseExotelAccount(
    const nlohmann::json& block, const std::string& where) {
  auto account = std::make_shared<ExotelAccount>();
  RETURN_IF_ERROR(config::CheckKeys(
      block, where,
      {"account_sid", "api_key", "api_token", "api_base_url", "caller_id", "flow_url"}));
  for (const auto& [key, field] :
       {std::pair<const char*, std::string*>{"account_sid", &account->account_sid},
        {"api_key", &account->api_key},
        {"api_token", &account->api_token},
        {"api_base_url", &account->api_base_url},
        {"caller_id", &account->caller_id},
        {"flow_url", &account->flow_url}}) {
    RETURN_IF_ERROR(config::ReadString(block, where, key, field));
  }
  RETURN_IF_ERROR(config::CheckNotEmpty(where, {{"account_sid", &account->account_sid},
                                                {"api_key", &account->api_key},
                                                {"api_token", &account->api_token},
                                                {"caller_id", &account->caller_id},
                                                {"flow_url", &account->flow_url}}));
  config::TrimTrailingSlashes(&account->api_base_url);
  RETURN_IF_ERROR(config::CheckBaseUrl(where + ".api_base_url", account->api_base_url));
  return account;
}

}  // namespace callcontrol::exotel
