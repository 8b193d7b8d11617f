#include "providers/bolna/bolna_provider.h"

namespace callcontrol::bolna {

BolnaProvider::BolnaProvider() {
  spec_.provider = v1::PROVIDER_BOLNA;
  spec_.name = "bolna";
  spec_.signs_webhooks = false;
}

}  // namespace callcontrol::bolna
