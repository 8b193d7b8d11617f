#!/usr/bin/env bash
# What large voice-sample uploads cost the webhook path (issue 10, finding 14): open-loop signed
# webhooks at RATE/s for SECONDS, alone and then beside UPLOADERS concurrent PutVoiceSample
# uploaders of SIZE_MIB MiB each, against one callcontrold and webhook-adapter on 127.0.0.1.
# Prints webhook_bench's and sample_upload_bench's summaries for each run, and the store's
# commits. Runs alternate (alone, with uploads) ROUNDS times.
# Usage: tools/bench/sample_stall.sh [seconds per run, default 20]   (build first)
# Environment: RATE (500), UPLOADERS (8), SIZE_MIB (10), ROUNDS (2), and stack.sh's.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
secs="${1:-20}"
rate="${RATE:-500}"
uploaders="${UPLOADERS:-8}"
size_mib="${SIZE_MIB:-10}"
rounds="${ROUNDS:-2}"
export GRPC_PORT="${GRPC_PORT:-50371}" ADAPTER_PORT="${ADAPTER_PORT:-8401}"
export METRICS_PORT="${METRICS_PORT:-9401}"
# shellcheck source=tools/bench/stack.sh
source "$root/tools/bench/stack.sh"

webhooks() {
  "$b/tools/bench/webhook_bench" --url "http://127.0.0.1:$adapter_port" --tenant acme \
    --auth-token "$token" --connections 32 --rate "$rate" --duration "$secs" |
    grep -E 'throughput|ack latency|problems'
}
for round in $(seq 1 "$rounds"); do
  echo "== round $round: ${rate} webhooks/s alone"
  webhooks
  echo "== round $round: ${rate} webhooks/s with $uploaders uploaders of $size_mib MiB"
  "$b/tools/bench/sample_upload_bench" --server "127.0.0.1:$grpc_port" --api-key "$api_key" \
    --uploaders "$uploaders" --size-mib "$size_mib" --duration "$((secs + 2))" \
    >"$work/uploads.txt" 2>&1 &
  upload_pid=$!
  sleep 1
  webhooks
  wait "$upload_pid" || true
  tail -n 2 "$work/uploads.txt"
done
