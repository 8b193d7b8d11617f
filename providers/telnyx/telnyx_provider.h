// The Telnyx plug-in: Telnyx Call Control
// (https://developers.telnyx.com/docs/voice/programmable-voice). Listed in providers/registry.cc.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "providers/provider.h"

namespace callcontrol::telnyx {

class TelnyxProvider final : public providers::Provider {
 public:
  TelnyxProvider();

  v1::Provider id() const override { return v1::PROVIDER_TELNYX; }
  std::string_view name() const override { return "telnyx"; }
  std::string_view display_name() const override { return "Telnyx"; }
  const config::ProviderConfigSpec& config_spec() const override { return spec_; }
  // provider_ids.call_control_id.
  const std::string& PrimaryId(const v1::ProviderIds& ids) const override {
    return ids.call_control_id();
  }
  std::string_view primary_id_name() const override { return "call_control_id"; }
  // A TelnyxCallClient (telnyx_call_client.h) over a TelnyxClient with default options.
  std::unique_ptr<providers::CallClient> NewCallClient() const override;

  // A TelnyxWebhookHandler (telnyx_webhook_handler.h).
  std::unique_ptr<providers::WebhookHandler> NewWebhookHandler(
      const providers::WebhookContext& context) const override;

 private:
  config::ProviderConfigSpec spec_;
};

}  // namespace callcontrol::telnyx
