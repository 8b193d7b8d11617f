#!/usr/bin/env bash
# Installs dependencies, builds everything and runs every test (ctest), plus `buf lint` on the
# API and a clang-format check.
# Usage: ./tools/test.sh [--sanitize address,undefined | --sanitize thread] [extra ctest args,
#        e.g. -R StackTest]
#   --sanitize S  builds everything with -fsanitize=S (CMake CALLCONTROL_SANITIZE) in its own
#                 build directory (build-asan / build-tsan) and runs the suite under it; any
#                 sanitizer report fails the test that made it. tools/sanitizers/ holds the
#                 suppressions, each explained.
# Environment: BUILD_DIR (default build, or build-asan / build-tsan), JOBS (default: number of
# cores).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
sanitize=""
if [[ "${1:-}" == "--sanitize" ]]; then
  sanitize="${2:?--sanitize needs address,undefined or thread}"
  shift 2
fi
case "$sanitize" in
  "") default_dir=build ;;
  address,undefined|undefined,address|address) default_dir=build-asan ;;
  thread) default_dir=build-tsan ;;
  *) echo "--sanitize: use address,undefined or thread, not $sanitize" >&2; exit 2 ;;
esac
build_dir="${BUILD_DIR:-$default_dir}"
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

echo "== build ($build_dir, -j$jobs${sanitize:+, -fsanitize=$sanitize})"
start=$(date +%s)
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" \
  -DCALLCONTROL_SANITIZE="$sanitize" >/dev/null
cmake --build "$build_dir" -j "$jobs"
echo "build took $(( $(date +%s) - start )) s"

echo "== tests${sanitize:+ under -fsanitize=$sanitize}"
start=$(date +%s)
sanitizers="$root/tools/sanitizers"
export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1:strict_string_checks=1"
export LSAN_OPTIONS="suppressions=$sanitizers/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:suppressions=$sanitizers/ubsan.supp"
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$sanitizers/tsan.supp"
cd "$build_dir"
ctest --output-on-failure -j "$jobs" --timeout 300 "$@"
echo "tests took $(( $(date +%s) - start )) s"
