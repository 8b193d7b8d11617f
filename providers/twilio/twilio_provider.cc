#include "providers/twilio/twilio_provider.h"

#include "providers/twilio/twilio_account.h"
#include "providers/twilio/twilio_call_client.h"

namespace callcontrol::twilio {

TwilioProvider::TwilioProvider() {
  spec_.provider = v1::PROVIDER_TWILIO;
  spec_.name = "twilio";
  spec_.parse_block = ParseTwilioAccount;
  spec_.signs_webhooks = true;
}

std::unique_ptr<providers::CallClient> TwilioProvider::NewCallClient() const {
  return std::make_unique<TwilioCallClient>(
      std::make_unique<const providers::TwilioClient>(providers::TwilioClient::Options{}));
}

}  // namespace callcontrol::twilio
