#include "tools/provider_sim/telnyx/telnyx_key_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace callcontrol::provider_sim {
namespace {

// Writes all of `data` to a new file `path` created with `mode` (O_EXCL unless `replace`).
absl::Status WriteFile(const std::string& path, const std::string& data, mode_t mode,
                       bool replace) {
  const int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (replace ? O_TRUNC : O_EXCL);
  const int fd = ::open(path.c_str(), flags, mode);
  if (fd < 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot create ", path, ": ", std::strerror(errno)));
  }
  size_t written = 0;
  while (written < data.size()) {
    const ssize_t n = ::write(fd, data.data() + written, data.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int error = errno;
      ::close(fd);
      return absl::FailedPreconditionError(
          absl::StrCat("cannot write ", path, ": ", std::strerror(error)));
    }
    written += static_cast<size_t>(n);
  }
  if (::close(fd) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot write ", path, ": ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<telnyx::KeyPair> LoadOrCreateTelnyxKeyFile(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno != ENOENT) {
      return absl::FailedPreconditionError(
          absl::StrCat("cannot read ", path, ": ", std::strerror(errno)));
    }
    telnyx::KeyPair pair = telnyx::GenerateKeyPair();
    if (absl::Status s = WriteFile(path, pair.private_key_base64 + "\n", 0600, /*replace=*/false);
        !s.ok()) {
      return s;
    }
    return pair;
  }
  std::ifstream in(path);
  if (!in) return absl::FailedPreconditionError(absl::StrCat("cannot read ", path));
  std::stringstream contents;
  contents << in.rdbuf();
  telnyx::KeyPair pair;
  pair.private_key_base64 = std::string(absl::StripAsciiWhitespace(contents.str()));
  auto public_key = telnyx::PublicKeyOf(pair.private_key_base64);
  if (!public_key.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, " does not hold a base64 32-byte Ed25519 seed"));
  }
  pair.public_key_base64 = *std::move(public_key);
  return pair;
}

absl::Status WriteTelnyxPublicKeyFile(const std::string& path,
                                      const std::string& public_key_base64) {
  return WriteFile(path, public_key_base64 + "\n", 0644, /*replace=*/true);
}

}  // namespace callcontrol::provider_sim
