// The Bolna plug-in: Bolna voice agents (https://docs.bolna.ai). Listed in providers/registry.cc.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "providers/provider.h"

namespace callcontrol::bolna {

class BolnaProvider final : public providers::Provider {
 public:
  BolnaProvider();

  v1::Provider id() const override { return v1::PROVIDER_BOLNA; }
  std::string_view name() const override { return "bolna"; }
  std::string_view display_name() const override { return "Bolna"; }
  const config::ProviderConfigSpec& config_spec() const override { return spec_; }
  // provider_ids.execution_id.
  const std::string& PrimaryId(const v1::ProviderIds& ids) const override {
    return ids.execution_id();
  }
  std::string_view primary_id_name() const override { return "execution_id"; }
  // A BolnaWebhookHandler (bolna_webhook_handler.h).
  std::unique_ptr<providers::WebhookHandler> NewWebhookHandler(
      const providers::WebhookContext& context) const override;

 private:
  config::ProviderConfigSpec spec_;
};

}  // namespace callcontrol::bolna
