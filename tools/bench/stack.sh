# Shared by run.sh and soak.sh (source it): writes a config for one Twilio tenant into a fresh
# temp dir, starts callcontrold and webhook-adapter on fixed loopback ports, and removes
# everything on exit. Sets: b (build dir), work, grpc_port, adapter_port, metrics_port, token,
# api_key, daemon_pid, adapter_pid, pids; functions wait_line, start_daemon.
# Environment: BUILD_DIR (default build), ADAPTER_ARGS (extra webhook-adapter flags),
# GRPC_PORT / ADAPTER_PORT / METRICS_PORT (defaults 50351 / 8381 / 9381).
b="${BUILD_DIR:-build}"
work="$(mktemp -d)"
grpc_port="${GRPC_PORT:-50351}"
adapter_port="${ADAPTER_PORT:-8381}"
metrics_port="${METRICS_PORT:-9381}"
token="bench-token-$(od -An -tx1 -N8 /dev/urandom | tr -d ' \n')"
export TWILIO_AUTH_TOKEN="$token"
CALLCONTROL_INTERNAL_KEY="bench-internal-$(od -An -tx1 -N8 /dev/urandom | tr -d ' \n')"
export CALLCONTROL_INTERNAL_KEY
api_key="cck_bench_$(od -An -tx1 -N8 /dev/urandom | tr -d ' \n')"
cat >"$work/config.json" <<JSON
{ "daemon": { "grpc_listen": "127.0.0.1:$grpc_port", "db": "$work/bench.db",
              "subscriber_queue_limit": 100000, "internal_api_key": "\${CALLCONTROL_INTERNAL_KEY}",
              "metrics_listen": "127.0.0.1:$metrics_port" },
  "adapter": { "listen": "127.0.0.1:$adapter_port", "public_url": "http://127.0.0.1:$adapter_port",
               "daemon_address": "127.0.0.1:$grpc_port", "io_threads": 1 },
  "tenants": [ { "id": "acme", "default_from": "+15005550006",
                 "api_keys": [ "$("$b/client/callctl" key hash "$api_key")" ],
                 "twilio": { "account_sid": "AC00000000000000000000000000000001",
                             "auth_token": "\${TWILIO_AUTH_TOKEN}", "api_base_url": "http://127.0.0.1:9" } } ] }
JSON
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

wait_line() {  # file needle
  for _ in $(seq 1 100); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  echo "bench: $1 never said '$2'" >&2; tail "$1" >&2; exit 1
}
start_daemon() {
  "$b/server/callcontrold" --config "$work/config.json" --log-level warn >"$work/daemon.log" 2>&1 &
  daemon_pid=$!
  pids+=("$daemon_pid")
  wait_line "$work/daemon.log" "listening on"
}
start_daemon
# shellcheck disable=SC2086  # ADAPTER_ARGS is a list of flags
"$b/webhook_adapter/webhook-adapter" --config "$work/config.json" --log-level warn \
  ${ADAPTER_ARGS:-} >"$work/adapter.log" 2>&1 &
adapter_pid=$!
pids+=("$adapter_pid")
wait_line "$work/adapter.log" "listening on"

