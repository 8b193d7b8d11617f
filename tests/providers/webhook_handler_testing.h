// Helpers of the WebhookHandler unit tests (tests/providers/<name>/<name>_webhook_handler_test.cc):
// a config parsed from JSON, a handler built from the registry's provider, and requests as the
// HTTP server hands them over. Fixture files: tests/testing/fixtures.h.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "common/config/config.h"
#include "common/http/http_server.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "providers/provider.h"
#include "providers/registry.h"

namespace callcontrol::providers::testing {

// A config providers::ParseConfig accepts with `tenants` (each given an API key); empty when it
// does not.
inline config::Config ConfigWithTenants(nlohmann::json tenants) {
  for (nlohmann::json& tenant : tenants) {
    tenant["api_keys"] = {config::HashApiKey(tenant.at("id").get<std::string>() + "-api-key")};
  }
  const nlohmann::json json = {{"daemon", {{"internal_api_key", "internal-key"}}},
                               {"tenants", std::move(tenants)}};
  auto config = ParseConfig(json.dump());
  EXPECT_TRUE(config.ok()) << config.status();
  return config.ok() ? *std::move(config) : config::Config{};
}

// A request the way the HTTP server hands it to a handler: path and query split off `target`,
// header names lower-cased.
inline http::Request MakeRequest(std::string method, std::string target, std::string body = "",
                                 std::vector<std::pair<std::string, std::string>> headers = {}) {
  http::Request request;
  request.method = std::move(method);
  request.target = std::move(target);
  const size_t question = request.target.find('?');
  request.path = request.target.substr(0, question);
  if (question != std::string::npos) request.query = request.target.substr(question + 1);
  for (auto& [name, value] : headers) {
    request.headers.emplace_back(absl::AsciiStrToLower(name), std::move(value));
  }
  request.body = std::move(body);
  return request;
}

// The index of `action` in handler.actions(); fails the test when it has none.
inline size_t ActionIndex(const WebhookHandler& handler, std::string_view action) {
  const std::vector<std::string>& actions = handler.actions();
  for (size_t i = 0; i < actions.size(); ++i) {
    if (actions[i] == action) return i;
  }
  ADD_FAILURE() << "no action \"" << action << "\"";
  return 0;
}

}  // namespace callcontrol::providers::testing
