#!/usr/bin/env bash
# The long crash audit (not run in CI): the same test as tests/reliability/crash_audit_test.cc,
# with 20 SIGKILLs of callcontrold and 5 of webhook-adapter spread over five minutes of load,
# then the same audit of everything acknowledged (docs/reliability.md, "Crash audit").
#
# Usage: tools/chaos/crash_loop.sh [extra gtest args]
# Environment (defaults in brackets): BUILD_DIR [build], CRASH_AUDIT_KILLS [20],
#   CRASH_AUDIT_ADAPTER_KILLS [5], CRASH_AUDIT_SECONDS [300], CRASH_AUDIT_MAX_GAP_MS [22000],
#   CRASH_AUDIT_THREADS [2],
#   CRASH_AUDIT_SEED [random; printed, and repeats the kill timing], JOBS [2].
# Builds reliability_test and the three executables it starts if needed. Everything runs on
# 127.0.0.1; the test stops its processes itself.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build_dir="${BUILD_DIR:-$root/build}"
[[ "$build_dir" = /* ]] || build_dir="$root/$build_dir"

if [[ ! -f "$build_dir/CMakeCache.txt" ]]; then
  cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build "$build_dir" -j "${JOBS:-2}" --target reliability_test

export CRASH_AUDIT_KILLS="${CRASH_AUDIT_KILLS:-20}"
export CRASH_AUDIT_ADAPTER_KILLS="${CRASH_AUDIT_ADAPTER_KILLS:-5}"
export CRASH_AUDIT_SECONDS="${CRASH_AUDIT_SECONDS:-300}"
# Pauses before the kills uniform in [200 ms, this]: 25 kills spread over about 5 minutes.
export CRASH_AUDIT_MAX_GAP_MS="${CRASH_AUDIT_MAX_GAP_MS:-22000}"

exec "$build_dir/tests/reliability/reliability_test" \
  --gtest_filter='CrashAuditTest.*' "$@"
