#!/usr/bin/env bash
# Installs dependencies, builds everything and runs every test (ctest), plus `buf lint` on the
# API and a clang-format check. Usage: ./tools/test.sh [extra ctest args, e.g. -R StackTest]
# Environment: BUILD_DIR (default build), JOBS (default: number of cores).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
build_dir="${BUILD_DIR:-build}"
jobs="${JOBS:-$(nproc)}"

./tools/install-deps.sh

echo "== buf lint (proto/)"
(cd proto && ../tools/node_modules/.bin/buf lint)

echo "== clang-format check"
mapfile -t sources < <(git ls-files '*.h' '*.cc' 2>/dev/null || find . -name '*.h' -o -name '*.cc')
if ! clang-format --dry-run --Werror "${sources[@]}" 2>/tmp/callcontrol-format.log; then
  head -n 20 /tmp/callcontrol-format.log
  echo "clang-format: files above need formatting (clang-format -i <file>)" >&2
  exit 1
fi

echo "== build ($build_dir, -j$jobs)"
start=$(date +%s)
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" >/dev/null
cmake --build "$build_dir" -j "$jobs"
echo "build took $(( $(date +%s) - start )) s"

echo "== tests"
start=$(date +%s)
cd "$build_dir"
ctest --output-on-failure -j "$jobs" --timeout 300 "$@"
echo "tests took $(( $(date +%s) - start )) s"
