#include "providers/telnyx/telnyx_provider.h"

#include "providers/telnyx/telnyx_account.h"
#include "providers/telnyx/telnyx_call_client.h"

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

}  // namespace callcontrol::telnyx
