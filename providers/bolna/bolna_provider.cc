#include "providers/bolna/bolna_provider.h"

#include "providers/bolna/bolna_webhook_handler.h"

namespace callcontrol::bolna {

BolnaProvider::BolnaProvider() {
  spec_.provider = v1::PROVIDER_BOLNA;
  spec_.name = "bolna";
  spec_.signs_webhooks = false;
}

std::unique_ptr<providers::WebhookHandler> BolnaProvider::NewWebhookHandler(
    const providers::WebhookContext& context) const {
  return std::make_unique<BolnaWebhookHandler>(context);
}

}  // namespace callcontrol::bolna
