#include "server/calls/call_ids.h"

#include <openssl/rand.h>

#include <array>
#include <cstdint>

#include "absl/strings/ascii.h"

namespace callcontrol::calls {
namespace {

constexpr char kHex[] = "0123456789abcdef";

bool IsLowerHex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

std::string NewCallId(absl::Time now) {
  std::string id = "call_";
  id.reserve(5 + 32);
  const uint64_t micros = static_cast<uint64_t>(absl::ToUnixMicros(now));
  for (int shift = 44; shift >= 0; shift -= 4) id.push_back(kHex[(micros >> shift) & 0xf]);
  std::array<unsigned char, 10> random{};
  if (RAND_bytes(random.data(), random.size()) != 1) {
    // The CSPRNG is seeded at process start on Linux (getrandom); failure here is fatal.
    std::abort();
  }
  for (unsigned char b : random) {
    id.push_back(kHex[b >> 4]);
    id.push_back(kHex[b & 0xf]);
  }
  return id;
}

bool IsCallId(std::string_view id) {
  return id.size() == 37 && id.substr(0, 5) == "call_" && IsLowerHex(id.substr(5));
}

bool IsE164(std::string_view number) {
  if (number.size() < 9 || number.size() > 16 || number[0] != '+') return false;
  if (number[1] < '1' || number[1] > '9') return false;
  for (char c : number.substr(1)) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

bool IsCallSid(std::string_view sid) {
  return sid.size() == 34 && sid.substr(0, 2) == "CA" && IsLowerHex(sid.substr(2));
}

std::string IdForMessage(std::string_view id) {
  constexpr size_t kMax = 64;
  if (id.size() <= kMax) return std::string(id);
  size_t cut = kMax;
  while (cut > 0 && (static_cast<unsigned char>(id[cut]) & 0xC0) == 0x80) --cut;
  return std::string(id.substr(0, cut)) + "...";
}

}  // namespace callcontrol::calls
