#include "providers/exotel/exotel_provider.h"

#include "providers/exotel/exotel_account.h"

namespace callcontrol::exotel {

ExotelProvider::ExotelProvider() {
  spec_.provider = v1::PROVIDER_EXOTEL;
  spec_.name = "exotel";
  spec_.parse_block = ParseExotelAccount;
  spec_.signs_webhooks = false;
}

}  // namespace callcontrol::exotel
