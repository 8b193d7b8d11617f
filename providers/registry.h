// The one list of the telephony providers callcontrol speaks (the simulator keeps its own,
// tools/provider_sim/sim_registry.cc). The daemon, the adapter, config loading and metrics
// iterate over it; nothing else names a provider. Thread-safe: built once, immutable.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "common/config/config.h"
#include "providers/provider.h"

namespace callcontrol::providers {

// Every provider, in a fixed order (the one registry.cc lists them in). Never empty.
const std::vector<const Provider*>& AllProviders();

// The provider with `id`, or nullptr (PROVIDER_UNSPECIFIED, an unknown value).
const Provider* FindProvider(v1::Provider id);

// The provider whose name() is `name` (e.g. "acme-voice"), or nullptr.
const Provider* FindProviderNamed(std::string_view name);

// The config specs of every provider, in AllProviders() order.
std::vector<config::ProviderConfigSpec> ConfigSpecs();

// config::ParseConfig / config::LoadConfig with every provider's spec.
absl::StatusOr<config::Config> ParseConfig(std::string_view json_text);
absl::StatusOr<config::Config> LoadConfig(const std::string& path);

}  // namespace callcontrol::providers
