// The Exotel plug-in: Exotel Voice v1 (https://developer.exotel.com/api/make-a-call-api). Listed in
// providers/registry.cc.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "providers/provider.h"

namespace callcontrol::exotel {

class ExotelProvider final : public providers::Provider {
 public:
  ExotelProvider();

  v1::Provider id() const override { return v1::PROVIDER_EXOTEL; }
  std::string_view name() const override { return "exotel"; }
  std::string_view display_name() const override { return "Exotel"; }
  const config::ProviderConfigSpec& config_spec() const override { return spec_; }
  // provider_ids.call_sid.
  const std::string& PrimaryId(const v1::ProviderIds& ids) const override { return ids.call_sid(); }
  std::string_view primary_id_name() const override { return "call_sid"; }
  // A ExotelCallClient (exotel_call_client.h) over a ExotelClient with default options.
  std::unique_ptr<providers::CallClient> NewCallClient() const override;

  // A ExotelWebhookHandler (exotel_webhook_handler.h).
  std::unique_ptr<providers::WebhookHandler> NewWebhookHandler(
      const providers::WebhookContext& context) const override;

 private:
  config::ProviderConfigSpec spec_;
};

}  // namespace callcontrol::exotel
