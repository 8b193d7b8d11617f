// The files behind provider-sim's Telnyx signing key: --telnyx-private-key-file (a base64
// Ed25519 seed, loaded if it exists, else generated and written with mode 0600) and
// --telnyx-public-key-out (the base64 public key, one line, for the adapter's config).
// main.cc calls these; SimServer only sees the key itself.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "providers/telnyx/telnyx_signature.h"

namespace callcontrol::provider_sim {

// Reads the base64 seed in `path` (surrounding whitespace ignored) and derives its public key.
// If `path` does not exist, generates a key pair and writes the seed there (one line, created
// with mode 0600). Returns kInvalidArgument if the file does not hold a base64 32-byte seed,
// kFailedPrecondition if it cannot be read or created.
absl::StatusOr<telnyx::KeyPair> LoadOrCreateTelnyxKeyFile(const std::string& path);

// Writes `public_key_base64` and a newline to `path`, replacing the file. kFailedPrecondition if
// it cannot be written.
absl::Status WriteTelnyxPublicKeyFile(const std::string& path,
                                      const std::string& public_key_base64);

}  // namespace callcontrol::provider_sim
