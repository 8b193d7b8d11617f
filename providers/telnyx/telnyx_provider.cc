#include "providers/telnyx/telnyx_provider.h"

#include "providers/telnyx/telnyx_account.h"

namespace callcontrol::telnyx {

TelnyxProvider::TelnyxProvider() {
  spec_.provider = v1::PROVIDER_TELNYX;
  spec_.name = "telnyx";
  spec_.parse_block = ParseTelnyxAccount;
  spec_.signs_webhooks = true;
}

}  // namespace callcontrol::telnyx
