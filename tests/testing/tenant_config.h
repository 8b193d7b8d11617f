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

// The API key ConfigWithTenants gives its `n`th tenant (0-based): "cc_test_key", then
// "cc_test_key_1", "cc_test_key_2", ... (keys must differ between tenants).
inline std::string TestApiKey(size_t n) {
  return n == 0 ? "cc_test_key" : "cc_test_key_" + std::to_string(n);
}

// Parses a config with an internal API key and `tenants_json` (a JSON array of tenant objects);
// every tenant gets the key TestApiKey(its position). Returns ParseConfig's error.
inline absl::StatusOr<config::Config> ConfigWithTenants(std::string_view tenants_json) {
  std::string tenants(tenants_json);
  // Every tenant object starts with `{"id"`: give it a key.
  size_t n = 0;
  for (size_t at = 0; (at = tenants.find("{\"id\"", at)) != std::string::npos;) {
    const std::string key = R"("api_keys": [")" + config::HashApiKey(TestApiKey(n++)) + R"("], )";
    tenants.insert(at + 1, key);
    at += key.size() + 1;
  }
  return providers::ParseConfig(R"({"daemon": {"internal_api_key": "cc_test_internal"},
                                    "adapter": {"public_url": "https://hooks.example.com"},
                                    "tenants": )" +
                                tenants + "}");
}

}  // namespace callcontrol::testing
