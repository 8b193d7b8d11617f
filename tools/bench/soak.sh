#!/usr/bin/env bash
# Soak (not in CI): SECONDS seconds (default 3600) of signed Twilio webhooks at RATE per second
# (default 1000) with SUBSCRIBERS StreamEvents subscribers (default 100) against callcontrold and
# webhook-adapter on 127.0.0.1, sampling both processes' RSS every 10 s. Prints the RSS at the
# start and the end and its slope (least squares over the samples after SLOPE_AFTER seconds,
# default 900: the daemon keeps ended calls in memory for 10 minutes, so its RSS rises until then
# by design; in MiB per hour), the webhook errors, and the events each subscriber got (equal
# counts and no duplicate: nothing lost). The samples stay in $SOAK_OUT (default
# /tmp/callcontrol-soak.csv).
# Usage: tools/bench/soak.sh [seconds]   (build first: cmake --build build)
# Environment: RATE, SUBSCRIBERS, SOAK_OUT, SLOPE_AFTER, and stack.sh's (BUILD_DIR, ports:
# defaults 50361 / 8391 / 9391 so a soak and run.sh do not collide).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
secs="${1:-3600}"
rate="${RATE:-1000}"
subscribers="${SUBSCRIBERS:-100}"
out="${SOAK_OUT:-/tmp/callcontrol-soak.csv}"
slope_after="${SLOPE_AFTER:-900}"
export GRPC_PORT="${GRPC_PORT:-50361}" ADAPTER_PORT="${ADAPTER_PORT:-8391}"
export METRICS_PORT="${METRICS_PORT:-9391}"
# shellcheck source=tools/bench/stack.sh
source "$root/tools/bench/stack.sh"

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

echo "soak: ${secs} s at ${rate} webhooks/s, ${subscribers} subscribers; samples in $out"
"$b/tools/bench/events_bench" --server "127.0.0.1:$grpc_port" --api-key "$api_key" \
  --subscribers "$subscribers" --duration "$secs" >"$work/events.txt" 2>&1 &
events_pid=$!
sleep 2
"$b/tools/bench/webhook_bench" --url "http://127.0.0.1:$adapter_port" --tenant acme \
  --auth-token "$token" --connections 32 --rate "$rate" --duration "$((secs - 10))" \
  >"$work/webhooks.txt" 2>&1 &
load_pid=$!

echo "elapsed_s,daemon_rss_kib,adapter_rss_kib" >"$out"
begin=$(date +%s)
while kill -0 "$load_pid" 2>/dev/null; do
  echo "$(( $(date +%s) - begin )),$(rss_kib "$daemon_pid"),$(rss_kib "$adapter_pid")" >>"$out"
  sleep 10
done
wait "$load_pid" || true
wait "$events_pid" || true

echo "== webhooks"; tail -n 12 "$work/webhooks.txt"
echo "== events"; tail -n 12 "$work/events.txt"
echo "== memory (RSS)"
awk -F, -v after="$slope_after" 'NR > 1 {t[NR] = $1; d[NR] = $2; a[NR] = $3; n = NR}
  END {
    printf "daemon  start %.1f MiB, end %.1f MiB\n", d[2] / 1024, d[n] / 1024
    printf "adapter start %.1f MiB, end %.1f MiB\n", a[2] / 1024, a[n] / 1024
    for (i = 2; i <= n; i++) if (t[i] >= after) {
      m++; st += t[i]; sd += d[i]; sa += a[i]; stt += t[i] * t[i]; std += t[i] * d[i]
      sta += t[i] * a[i]
    }
    if (m < 3) { printf "slope: too few samples after %d s (SLOPE_AFTER)\n", after; exit }
    den = m * stt - st * st
    printf "slope after %d s: daemon %+.2f MiB/h, adapter %+.2f MiB/h (%d samples)\n", after,
           (m * std - st * sd) / den * 3600 / 1024, (m * sta - st * sa) / den * 3600 / 1024, m
  }' "$out"
