#include "client/api_keys.h"

#include <openssl/rand.h>

#include "absl/strings/escaping.h"
#include "common/config/config.h"

namespace callcontrol::client {

std::string NewApiKey() {
  unsigned char bytes[32];
  RAND_bytes(bytes, sizeof(bytes));
  return "cck_" + absl::WebSafeBase64Escape(
                      absl::string_view(reinterpret_cast<const char*>(bytes), sizeof(bytes)));
}

std::string ApiKeyHash(std::string_view key) { return config::HashApiKey(key); }

}  // namespace callcontrol::client
