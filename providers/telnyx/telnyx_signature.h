// Telnyx webhook signatures: Ed25519 over `telnyx-timestamp + "|" + raw body`, sent base64 in
// `telnyx-signature-ed25519`, verified with the account's base64 32-byte public key, within a
// replay window (https://developers.telnyx.com/docs/messaging/messages/receiving-webhooks;
// telnyx-python src/telnyx/lib/webhook_verification.py). Signing and
// key generation serve provider-sim and tests. Thread-safe (pure functions over OpenSSL).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace callcontrol::telnyx {

inline constexpr std::string_view kSignatureHeader = "telnyx-signature-ed25519";
inline constexpr std::string_view kTimestampHeader = "telnyx-timestamp";

// Checks one webhook. `public_key_base64`: base64 of the raw 32-byte Ed25519 key;
// `timestamp`: the telnyx-timestamp header (decimal unix seconds); `signature_base64`: the
// telnyx-signature-ed25519 header; `body`: the raw request body, byte for byte as received.
// Returns kUnauthenticated, saying which check failed, when a header is missing or malformed,
// the signature does not verify, or |now - timestamp| > `tolerance` (a replayed or stale
// delivery); kInvalidArgument when the public key itself is not a base64 32-byte key.
absl::Status VerifyWebhookSignature(std::string_view public_key_base64, std::string_view timestamp,
                                    std::string_view body, std::string_view signature_base64,
                                    absl::Time now, absl::Duration tolerance);

// An Ed25519 key pair, each half base64 of its raw 32 bytes (the private half is the RFC 8032
// seed).
struct KeyPair {
  std::string private_key_base64;
  std::string public_key_base64;
};

// A fresh random key pair (OpenSSL's CSPRNG).
KeyPair GenerateKeyPair();

// The public half of a base64 private key (seed). kInvalidArgument if it is not 32 bytes.
absl::StatusOr<std::string> PublicKeyOf(std::string_view private_key_base64);

// The telnyx-signature-ed25519 value for `timestamp` and `body`: base64 of the 64-byte
// signature of timestamp + "|" + body. kInvalidArgument for a bad private key.
absl::StatusOr<std::string> SignWebhook(std::string_view private_key_base64,
                                        std::string_view timestamp, std::string_view body);

}  // namespace callcontrol::telnyx
