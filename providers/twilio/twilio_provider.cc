#include "providers/twilio/twilio_provider.h"

#include "providers/twilio/twilio_account.h"

namespace callcontrol::twilio {

TwilioProvider::TwilioProvider() {
  spec_.provider = v1::PROVIDER_TWILIO;
  spec_.name = "twilio";
  spec_.parse_block = ParseTwilioAccount;
  spec_.signs_webhooks = true;
}

}  // namespace callcontrol::twilio
