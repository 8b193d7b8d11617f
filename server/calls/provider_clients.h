// The daemon's call clients (providers/provider.h, CallClient), one per provider that has one,
// found by provider id. Built once before the CallManager starts, then read-only: thread-safe.
#pragma once

#include <memory>

#include "absl/container/flat_hash_map.h"
#include "callcontrol/v1/call.pb.h"
#include "providers/provider.h"

namespace callcontrol::calls {

class ProviderClients {
 public:
  // Every provider of providers::AllProviders() whose NewCallClient() gives a client.
  static std::unique_ptr<ProviderClients> FromRegistry();

  // Sets the client of `provider` (tests put fakes here). Not thread-safe: call before use.
  void Set(v1::Provider provider, std::unique_ptr<const providers::CallClient> client) {
    clients_[provider] = std::move(client);
  }

  // The client of `provider`, or nullptr when it has none (its calls are placed and ended
  // outside callcontrol, e.g. by the provider's agents).
  const providers::CallClient* Find(v1::Provider provider) const {
    auto it = clients_.find(provider);
    return it == clients_.end() ? nullptr : it->second.get();
  }

 private:
  absl::flat_hash_map<int, std::unique_ptr<const providers::CallClient>> clients_;
};

}  // namespace callcontrol::calls
