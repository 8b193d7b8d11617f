// A whole configuration around tenant blocks, for tests that need config::TenantConfig values as
// config loading makes them (through providers::ParseConfig, so provider blocks are read by their
// plug-ins and the test never touches TenantConfig's fields).
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "common/config/config.h"
#include "providers/registry.h"

namespace callcontrol::testing {

// Parses a config with an internal API key and `tenants_json` (a JSON array of tenant objects);
// a tenant without "api_keys" gets one made up. Returns ParseConfig's error.
inline absl::StatusOr<config::Config> ConfigWithTenants(std::string_view tenants_json) {
  std::string tenants(tenants_json);
  const std::string key = R"("api_keys": [")" + config::HashApiKey("cc_test_key") + R"("], )";
  // Every tenant object starts with `{"id"`: give it a key.
  for (size_t at = 0; (at = tenants.find("{\"id\"", at)) != std::string::npos; at += key.size()) {
    tenants.insert(at + 1, key);
  }
  return providers::ParseConfig(R"({"daemon": {"internal_api_key": "cc_test_internal"},
                                    "adapter": {"public_url": "https://hooks.example.com"},
                                    "tenants": )" +
                                tenants + "}");
}

}  // namespace callcontrol::testing
