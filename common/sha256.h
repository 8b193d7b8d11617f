// SHA-256 (FIPS 180-4) through OpenSSL's EVP interface: the one digest helper of the project
// (API key hashes, webhook token digests, request fingerprints). Thread-safe.
#pragma once

#include <array>
#include <string>
#include <string_view>

namespace callcontrol {

using Sha256Digest = std::array<unsigned char, 32>;

// The SHA-256 of `data`.
Sha256Digest Sha256(std::string_view data);

// The SHA-256 of `data` as 32 raw bytes in a string.
std::string Sha256Bytes(std::string_view data);

// The SHA-256 of `data` as 64 lowercase hex digits.
std::string Sha256Hex(std::string_view data);

}  // namespace callcontrol
