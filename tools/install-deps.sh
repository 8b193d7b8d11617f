#!/usr/bin/env bash
# Installs everything callcontrol needs to build, test and run on Debian 12 (bookworm).
# Idempotent: packages already present are skipped by apt-get; npm tools are installed into
# tools/node_modules only when missing. Needs root (or sudo) for apt-get.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

packages=(
  # toolchain
  build-essential cmake pkg-config git ca-certificates
  # gRPC / protobuf / Abseil (Debian's gRPC 1.51; the plugin package is needed by gRPCConfig.cmake)
  libgrpc++-dev libgrpc-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler grpc-proto libabsl-dev
  # libraries
  nlohmann-json3-dev libspdlog-dev libfmt-dev libsqlitecpp-dev libsqlite3-dev libcurl4-openssl-dev
  libssl-dev libboost-dev libcli11-dev prometheus-cpp-dev libpugixml-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev googletest curl sqlite3 wrk
  # formatting
  clang-format
  # fuzzing (tools/fuzz: libFuzzer with ASan + UBSan)
  clang-14 libfuzzer-14-dev
)
# buf comes from npm. Use the machine's node/npm when present (a NodeSource nodejs bundles npm and
# conflicts with Debian's npm package); otherwise take Debian's.
if ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "install-deps: Debian packages present"
fi

# buf (lint, curl) from npm, pinned in tools/package.json and locked in tools/package-lock.json.
# `npm ci` installs exactly the lock file and never rewrites it, so a clean clone stays clean.
if [ ! -x "$here/node_modules/.bin/buf" ]; then
  echo "install-deps: installing @bufbuild/buf into tools/node_modules (npm ci)"
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi
echo "install-deps: done"
