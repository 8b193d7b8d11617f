#include "providers/exotel/exotel_provider.h"

#include "providers/exotel/exotel_account.h"
#include "providers/exotel/exotel_call_client.h"
#include "providers/exotel/exotel_webhook_handler.h"

namespace callcontrol::exotel {

ExotelProvider::ExotelProvider() {
  spec_.provider = v1::PROVIDER_EXOTEL;
  spec_.name = "exotel";
  spec_.parse_block = ParseExotelAccount;
  spec_.signs_webhooks = false;
}

std::unique_ptr<providers::CallClient> ExotelProvider::NewCallClient() const {
  return std::make_unique<ExotelCallClient>(
      std::make_unique<const providers::ExotelClient>(providers::ExotelClient::Options{}));
}

std::unique_ptr<providers::WebhookHandler> ExotelProvider::NewWebhookHandler(
    const providers::WebhookContext& context) const {
  return std::make_unique<ExotelWebhookHandler>(context);
}

}  // namespace callcontrol::exotel
