#include "providers/twilio/twilio_provider.h"

#include "providers/twilio/twilio_account.h"
#include "providers/twilio/twilio_call_client.h"
#include "providers/twilio/twilio_webhook_handler.h"

namespace callcontrol::twilio {

TwilioProvider::TwilioProvider() {
  spec_.provider = v1::PROVIDER_TWILIO;
  spec_.name = std::string(kProviderName);
  spec_.parse_block = ParseTwilioAccount;
  spec_.signs_webhooks = true;
}

std::unique_ptr<providers::CallClient> TwilioProvider::NewCallClient() const {
  return std::make_unique<TwilioCallClient>(
      std::make_unique<const providers::TwilioClient>(providers::TwilioClient::Options{}));
}

std::unique_ptr<providers::WebhookHandler> TwilioProvider::NewWebhookHandler(
    const providers::WebhookContext& context) const {
  return std::make_unique<TwilioWebhookHandler>(context);
}

}  // namespace callcontrol::twilio
