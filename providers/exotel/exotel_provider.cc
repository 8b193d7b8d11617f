#include "providers/exotel/exotel_provider.h"

namespace callcontrol::exotel {

ExotelProvider::ExotelProvider() {
  spec_.provider = v1::PROVIDER_EXOTEL;
  spec_.name = "exotel";
  spec_.signs_webhooks = false;
}

}  // namespace callcontrol::exotel
