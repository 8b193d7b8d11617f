#!/usr/bin/env bash
# Measures DESIGN.md's performance targets on this machine and prints one line per figure.
# Starts callcontrold and webhook-adapter on 127.0.0.1 (fresh database in a temp dir), then:
#   1. closed-loop signed webhooks/s with no subscriber
#   2. the same with 100 StreamEvents subscribers
#   3. open loop at 1,000 webhooks/s with 100 subscribers: ack p99 and event delivery p99
#   4. memory per active call (heap held by the registry for 100k active calls)
#   5. restart-to-serving time with 1,000,000 calls on disk (rows inserted with sqlite3 into the
#      schema the daemon created, plus the calls of runs 1-3)
# Every load is bounded (--duration) and talks only to 127.0.0.1.
# Usage: tools/bench/run.sh [seconds per run, default 10]   (build first: cmake --build build)
# Environment: PHASES (default "1 2 3 4 5") picks the phases; ADAPTER_ARGS adds webhook-adapter
# flags (e.g. "--daemon-batches-in-flight 4"); BUILD_DIR (default build).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
secs="${1:-10}"
phases=" ${PHASES:-1 2 3 4 5} "
want() { [[ "$phases" == *" $1 "* ]]; }
# shellcheck source=tools/bench/stack.sh
source "$root/tools/bench/stack.sh"

wh=("$b/tools/bench/webhook_bench" --url "http://127.0.0.1:$adapter_port" --tenant acme
    --auth-token "$token" --duration "$secs")
ev=("$b/tools/bench/events_bench" --server "127.0.0.1:$grpc_port" --api-key "$api_key")

# The store's group commit over a phase: commits, and mutations per commit.
store_figures() {
  curl -s "http://127.0.0.1:$metrics_port/metrics" |
    awk '/^callcontrol_store_(commits|mutations|commit_seconds)_total/ {print $1, $2}'
}
commit_summary() {  # before-file after-file
  awk 'NR==FNR {b[$1]=$2; next} {a[$1]=$2}
       END {c=a["callcontrol_store_commits_total"]-b["callcontrol_store_commits_total"];
            m=a["callcontrol_store_mutations_total"]-b["callcontrol_store_mutations_total"];
            s=a["callcontrol_store_commit_seconds_total"]-b["callcontrol_store_commit_seconds_total"];
            if (c > 0) printf "store: %d commits, %.1f mutations per commit, %.0f us per commit\n",
                              c, m / c, s * 1e6 / c}' "$1" "$2"
}

if want 1; then
echo "== 1. closed loop, 0 subscribers (64 connections)"
store_figures >"$work/store0.txt"
"${wh[@]}" --connections 64 2>&1 | tail -n 12
store_figures >"$work/store1.txt"
commit_summary "$work/store0.txt" "$work/store1.txt"
fi

if want 2; then
echo "== 2. closed loop, 100 subscribers"
"${ev[@]}" --subscribers 100 --duration "$((secs + 4))" >"$work/ev2.txt" 2>&1 &
ev_pid=$!
sleep 2
"${wh[@]}" --connections 64 2>&1 | tail -n 12
wait "$ev_pid" || true
tail -n 12 "$work/ev2.txt"
fi

if want 3; then
echo "== 3. open loop 1000 webhooks/s, 100 subscribers"
"${ev[@]}" --subscribers 100 --duration "$((secs + 4))" >"$work/ev3.txt" 2>&1 &
ev_pid=$!
sleep 2
"${wh[@]}" --connections 32 --rate 1000 2>&1 | tail -n 12
wait "$ev_pid" || true
tail -n 12 "$work/ev3.txt"
fi

if want 4; then
echo "== 4. memory per active call"
"$b/tools/bench/registry_memory" 100000
fi

if want 5; then
echo "== 5. restart to serving with 1,000,000 calls on disk"
kill -TERM "$daemon_pid"; wait "$daemon_pid" 2>/dev/null || true
sqlite3 "$work/bench.db" <<'SQL'
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000)
INSERT INTO calls(call_id, tenant_id, status, create_time_us, update_time_us, call_sid,
                  duration_seconds, data)
SELECT printf('call_%012x%020x', 1600000000000000 + i, i), 'acme', 5, 1600000000000000 + i,
       1600000000000000 + i, printf('CA%032x', i + 4294967296), 30, zeroblob(200) FROM n;
SQL
echo "calls on disk: $(sqlite3 "$work/bench.db" 'select count(*) from calls'), database $(du -h "$work/bench.db" | cut -f1)"
for run in 1 2 3; do
  start=$(date +%s%N)
  start_daemon
  echo "restart to serving (run $run): $(( ($(date +%s%N) - start) / 1000000 )) ms (process start to 'listening')"
  kill -TERM "$daemon_pid"; wait "$daemon_pid" 2>/dev/null || true
done
fi

