#include "providers/telnyx/telnyx_signature.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <memory>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"

namespace callcontrol::telnyx {
namespace {

constexpr size_t kKeyBytes = 32;
constexpr size_t kSignatureBytes = 64;

struct PkeyDeleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyDeleter>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

absl::string_view ToAbsl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// Decodes base64 that must hold exactly `size` bytes.
bool DecodeExact(std::string_view base64, size_t size, std::string* out) {
  return absl::Base64Unescape(ToAbsl(base64), out) && out->size() == size;
}

std::string SignedMessage(std::string_view timestamp, std::string_view body) {
  std::string message;
  message.reserve(timestamp.size() + 1 + body.size());
  message.append(timestamp);
  message.push_back('|');
  message.append(body);
  return message;
}

absl::StatusOr<Pkey> PrivateKey(std::string_view private_key_base64) {
  std::string seed;
  if (!DecodeExact(private_key_base64, kKeyBytes, &seed)) {
    return absl::InvalidArgumentError("Ed25519 private key must be base64 of 32 bytes");
  }
  Pkey key(EVP_PKEY_new_raw_private_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(seed.data()), seed.size()));
  if (key == nullptr) return absl::InvalidArgumentError("Ed25519 private key rejected by OpenSSL");
  return key;
}

std::string RawPublicKey(EVP_PKEY* key) {
  unsigned char raw[kKeyBytes];
  size_t len = sizeof(raw);
  EVP_PKEY_get_raw_public_key(key, raw, &len);
  return std::string(reinterpret_cast<const char*>(raw), len);
}

}  // namespace

absl::Status VerifyWebhookSignature(std::string_view public_key_base64, std::string_view timestamp,
                                    std::string_view body, std::string_view signature_base64,
                                    absl::Time now, absl::Duration tolerance) {
  std::string public_key;
  if (!DecodeExact(public_key_base64, kKeyBytes, &public_key)) {
    return absl::InvalidArgumentError("Telnyx public key must be base64 of 32 bytes");
  }
  if (timestamp.empty()) return absl::UnauthenticatedError("missing telnyx-timestamp");
  if (signature_base64.empty()) {
    return absl::UnauthenticatedError("missing telnyx-signature-ed25519");
  }
  int64_t seconds = 0;
  if (timestamp.size() > 12 || !absl::SimpleAtoi(ToAbsl(timestamp), &seconds)) {
    return absl::UnauthenticatedError("telnyx-timestamp is not unix seconds");
  }
  const absl::Duration skew = absl::AbsDuration(now - absl::FromUnixSeconds(seconds));
  if (skew > tolerance) {
    return absl::UnauthenticatedError("telnyx-timestamp is " +
                                      std::to_string(absl::ToInt64Seconds(skew)) +
                                      " s from now, outside the replay window");
  }
  std::string signature;
  if (!DecodeExact(signature_base64, kSignatureBytes, &signature)) {
    return absl::UnauthenticatedError("telnyx-signature-ed25519 is not base64 of 64 bytes");
  }
  Pkey key(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                                       reinterpret_cast<const unsigned char*>(public_key.data()),
                                       public_key.size()));
  if (key == nullptr) return absl::InvalidArgumentError("Telnyx public key rejected by OpenSSL");
  MdCtx ctx(EVP_MD_CTX_new());
  const std::string message = SignedMessage(timestamp, body);
  // Ed25519 is one-shot: no digest, EVP_DigestVerify over the whole message (RFC 8032 §5.1.7).
  if (ctx == nullptr ||
      EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1 ||
      EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                       signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                       message.size()) != 1) {
    return absl::UnauthenticatedError("telnyx-signature-ed25519 does not verify");
  }
  return absl::OkStatus();
}

KeyPair GenerateKeyPair() {
  unsigned char seed[kKeyBytes];
  RAND_bytes(seed, sizeof(seed));
  KeyPair pair;
  pair.private_key_base64 =
      absl::Base64Escape(absl::string_view(reinterpret_cast<const char*>(seed), sizeof(seed)));
  pair.public_key_base64 = *PublicKeyOf(pair.private_key_base64);
  return pair;
}

absl::StatusOr<std::string> PublicKeyOf(std::string_view private_key_base64) {
  auto key = PrivateKey(private_key_base64);
  if (!key.ok()) return key.status();
  return absl::Base64Escape(RawPublicKey(key->get()));
}

absl::StatusOr<std::string> SignWebhook(std::string_view private_key_base64,
                                        std::string_view timestamp, std::string_view body) {
  auto key = PrivateKey(private_key_base64);
  if (!key.ok()) return key.status();
  MdCtx ctx(EVP_MD_CTX_new());
  const std::string message = SignedMessage(timestamp, body);
  unsigned char signature[kSignatureBytes];
  size_t len = sizeof(signature);
  if (ctx == nullptr || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key->get()) != 1 ||
      EVP_DigestSign(ctx.get(), signature, &len,
                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1) {
    return absl::InternalError("Ed25519 signing failed");
  }
  return absl::Base64Escape(absl::string_view(reinterpret_cast<const char*>(signature), len));
}

}  // namespace callcontrol::telnyx
