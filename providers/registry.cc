#include "providers/registry.h"

#include "providers/bolna/bolna_provider.h"
#include "providers/exotel/exotel_provider.h"
#include "providers/telnyx/telnyx_provider.h"
#include "providers/twilio/twilio_provider.h"

namespace callcontrol::providers {

const std::vector<const Provider*>& AllProviders() {
  static const twilio::TwilioProvider* const kTwilio = new twilio::TwilioProvider();
  static const telnyx::TelnyxProvider* const kTelnyx = new telnyx::TelnyxProvider();
  static const exotel::ExotelProvider* const kExotel = new exotel::ExotelProvider();
  static const bolna::BolnaProvider* const kBolna = new bolna::BolnaProvider();
  static const std::vector<const Provider*>* const kAll =
      new std::vector<const Provider*>{kTwilio, kTelnyx, kExotel, kBolna};
  return *kAll;
}

const Provider* FindProvider(v1::Provider id) {
  for (const Provider* provider : AllProviders()) {
    if (provider->id() == id) return provider;
  }
  return nullptr;
}

const Provider* FindProviderNamed(std::string_view name) {
  for (const Provider* provider : AllProviders()) {
    if (provider->name() == name) return provider;
  }
  return nullptr;
}

std::vector<config::ProviderConfigSpec> ConfigSpecs() {
  std::vector<config::ProviderConfigSpec> specs;
  for (const Provider* provider : AllProviders()) specs.push_back(provider->config_spec());
  return specs;
}

absl::StatusOr<config::Config> ParseConfig(std::string_view json_text) {
  return config::ParseConfig(json_text, ConfigSpecs());
}

absl::StatusOr<config::Config> LoadConfig(const std::string& path) {
  return config::LoadConfig(path, ConfigSpecs());
}

}  // namespace callcontrol::providers
