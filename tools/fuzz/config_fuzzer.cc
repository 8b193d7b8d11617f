// The configuration loader (common/config/config.h with every provider's block parser,
// providers/registry.h ParseConfig): the whole input is a config document. Invariants (trap): a
// config that parses has at least one tenant, each with an id of [a-z0-9_-]{1,64} (it appears in
// webhook paths), a known provider and at least one API key hash; ids are unique and FindTenant
// finds each tenant by its id.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "providers/registry.h"
#include "tools/fuzz/fuzz_support.h"

namespace fuzz = callcontrol::fuzz;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)fuzz::FuzzConfig();  // logging off
  const auto config = callcontrol::providers::ParseConfig(
      std::string_view(reinterpret_cast<const char*>(data), size));
  if (!config.ok()) return 0;
  fuzz::Require(!config->tenants.empty());
  std::set<std::string> ids;
  for (const auto& tenant : config->tenants) {
    fuzz::Require(!tenant.id.empty() && tenant.id.size() <= 64);
    for (const char c : tenant.id) {
      fuzz::Require((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-');
    }
    fuzz::Require(callcontrol::providers::FindProvider(tenant.provider) != nullptr);
    fuzz::Require(!tenant.api_key_hashes.empty());
    fuzz::Require(ids.insert(tenant.id).second);
    fuzz::Require(config->FindTenant(tenant.id) == &tenant);
  }
  return 0;
}
