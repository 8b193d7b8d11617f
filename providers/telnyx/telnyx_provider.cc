#include "providers/telnyx/telnyx_provider.h"

#include "providers/telnyx/telnyx_account.h"
#include "providers/telnyx/telnyx_call_client.h"
#include "providers/telnyx/telnyx_webhook_handler.h"

namespace callcontrol::telnyx {

TelnyxProvider::TelnyxProvider() {
  spec_.provider = v1::PROVIDER_TELNYX;
  spec_.name = "telnyx";
  spec_.parse_block = ParseTelnyxAccount;
  spec_.signs_webhooks = true;
}

std::unique_ptr<providers::CallClient> TelnyxProvider::NewCallClient() const {
  return std::make_unique<TelnyxCallClient>(
      std::make_unique<const providers::TelnyxClient>(providers::TelnyxClient::Options{}));
}

std::unique_ptr<providers::WebhookHandler> TelnyxProvider::NewWebhookHandler(
    const providers::WebhookContext& context) const {
  return std::make_unique<TelnyxWebhookHandler>(context);
}

}  // namespace callcontrol::telnyx
