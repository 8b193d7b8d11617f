// The Twilio plug-in: Twilio Programmable Voice (https://www.twilio.com/docs/voice/api). Listed in
// providers/registry.cc.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "providers/provider.h"

namespace callcontrol::twilio {

// The registry name: the tenant's "provider" word, its config block key, its webhook path
// segment and its metrics label.
inline constexpr std::string_view kProviderName = "twilio";

class TwilioProvider final : public providers::Provider {
 public:
  TwilioProvider();

  v1::Provider id() const override { return v1::PROVIDER_TWILIO; }
  std::string_view name() const override { return kProviderName; }
  std::string_view display_name() const override { return "Twilio"; }
  const config::ProviderConfigSpec& config_spec() const override { return spec_; }
  // provider_ids.call_sid.
  const std::string& PrimaryId(const v1::ProviderIds& ids) const override { return ids.call_sid(); }
  std::string_view primary_id_name() const override { return "call_sid"; }
  // A TwilioCallClient (twilio_call_client.h) over a TwilioClient with default options.
  std::unique_ptr<providers::CallClient> NewCallClient() const override;

  // A TwilioWebhookHandler (twilio_webhook_handler.h).
  std::unique_ptr<providers::WebhookHandler> NewWebhookHandler(
      const providers::WebhookContext& context) const override;

 private:
  config::ProviderConfigSpec spec_;
};

}  // namespace callcontrol::twilio
