#include "server/calls/provider_clients.h"

#include "providers/registry.h"

namespace callcontrol::calls {

std::unique_ptr<ProviderClients> ProviderClients::FromRegistry() {
  auto clients = std::make_unique<ProviderClients>();
  for (const providers::Provider* provider : providers::AllProviders()) {
    if (auto client = provider->NewCallClient()) clients->Set(provider->id(), std::move(client));
  }
  return clients;
}

}  // namespace callcontrol::calls
