// Telnyx webhook signature headers (providers/telnyx/telnyx_signature.h): the input is
// "<public key>\n<telnyx-timestamp>\n<telnyx-signature-ed25519>\n<body>"; VerifyWebhookSignature
// on them as given (a key, timestamp or signature of "@" is replaced by the fuzz key, the current
// time or a valid signature, so each check can be passed on its own). Invariants (trap): the
// answer is OK, kUnauthenticated or (for an unusable key only) kInvalidArgument; a valid
// signature of the current time verifies, and stops verifying when one byte of the body changes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/time/clock.h"
#include "providers/telnyx/telnyx_signature.h"
#include "tools/fuzz/fuzz_support.h"

namespace fuzz = callcontrol::fuzz;
namespace telnyx = callcontrol::telnyx;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string kPublicKey = [] {
    const auto key = telnyx::PublicKeyOf(fuzz::kTelnyxPrivateKey);
    fuzz::Require(key.ok());
    return *key;
  }();
  std::string_view key;
  std::string_view timestamp;
  std::string_view signature;
  std::string_view body(reinterpret_cast<const char*>(data), size);
  fuzz::SplitFirstLine(body, &key, &body);
  fuzz::SplitFirstLine(body, &timestamp, &body);
  fuzz::SplitFirstLine(body, &signature, &body);

  const absl::Time now = absl::Now();
  const std::string now_text = std::to_string(absl::ToUnixSeconds(now));
  const std::string_view used_key = key == "@" ? std::string_view(kPublicKey) : key;
  const std::string_view used_timestamp = timestamp == "@" ? std::string_view(now_text) : timestamp;
  std::string used_signature(signature);
  if (signature == "@") {
    const auto signed_value = telnyx::SignWebhook(fuzz::kTelnyxPrivateKey, used_timestamp, body);
    fuzz::Require(signed_value.ok());
    used_signature = *signed_value;
  }
  const absl::Status status = telnyx::VerifyWebhookSignature(used_key, used_timestamp, body,
                                                             used_signature, now, absl::Minutes(5));
  fuzz::Require(status.ok() || status.code() == absl::StatusCode::kUnauthenticated ||
                (status.code() == absl::StatusCode::kInvalidArgument && key != "@"));

  if (key == "@" && timestamp == "@" && signature == "@") {
    fuzz::Require(status.ok());
    if (!body.empty()) {
      std::string tampered(body);
      tampered[tampered.size() / 2] ^= 0x01;
      fuzz::Require(telnyx::VerifyWebhookSignature(kPublicKey, now_text, tampered, used_signature,
                                                   now, absl::Minutes(5))
                        .code() == absl::StatusCode::kUnauthenticated);
    }
  }
  return 0;
}
