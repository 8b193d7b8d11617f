// API keys for callcontrol tenants: `callctl key new` makes a random key and the hash the
// daemon's config stores ("sha256:<hex>", common/config/config.h); `callctl key hash` hashes an
// existing one. The daemon never stores or logs a key itself.
#pragma once

#include <string>
#include <string_view>

namespace callcontrol::client {

// A fresh key: "cck_" + 43 URL-safe base64 characters (32 bytes from OpenSSL's CSPRNG).
std::string NewApiKey();

// What to paste into a tenant's "api_keys" for `key`: "sha256:" + lowercase hex SHA-256.
std::string ApiKeyHash(std::string_view key);

}  // namespace callcontrol::client
