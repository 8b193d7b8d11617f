#include "common/sha256.h"

#include <openssl/evp.h>

namespace callcontrol {

Sha256Digest Sha256(std::string_view data) {
  Sha256Digest digest{};
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest.data(), &length, EVP_sha256(), nullptr);
  return digest;
}

std::string Sha256Bytes(std::string_view data) {
  const Sha256Digest digest = Sha256(data);
  return std::string(reinterpret_cast<const char*>(digest.data()), digest.size());
}

std::string Sha256Hex(std::string_view data) {
  static constexpr char kHex[] = "0123456789abcdef";
  const Sha256Digest digest = Sha256(data);
  std::string hex;
  hex.reserve(2 * digest.size());
  for (const unsigned char byte : digest) {
    hex.push_back(kHex[byte >> 4]);
    hex.push_back(kHex[byte & 0xf]);
  }
  return hex;
}

}  // namespace callcontrol
