#!/usr/bin/env bash
# callcontrol quickstart: installs dependencies, builds, starts provider-sim (a loopback stand-in
# for Twilio), callcontrold and webhook-adapter on 127.0.0.1, places a demo call through the
# public gRPC API and prints its events until it completes, then keeps serving until Ctrl-C.
#
# Usage: ./tools/quickstart.sh [--once]
#   --once   exit (stopping everything) after the demo call completes
# Ports (environment): SIM_PORT (8090), GRPC_PORT (50051), ADAPTER_PORT (8080).
# Everything it writes goes under var/quickstart/ (config, database, logs).
set -euo pipefail

once=0
for arg in "$@"; do
  case "$arg" in
    --once) once=1 ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "quickstart: unknown argument $arg (try --help)" >&2; exit 2 ;;
  esac
done

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
sim_port="${SIM_PORT:-8090}"
grpc_port="${GRPC_PORT:-50051}"
adapter_port="${ADAPTER_PORT:-8080}"
build_dir="${BUILD_DIR:-build}"
run_dir="var/quickstart"

./tools/install-deps.sh
echo "== building (this takes a few minutes the first time)"
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build_dir" -j "$(nproc)" --target callcontrold webhook_adapter provider_sim callctl

sim="$build_dir/tools/provider_sim/provider-sim"
daemon="$build_dir/server/callcontrold"
adapter="$build_dir/webhook_adapter/webhook-adapter"
callctl="$build_dir/client/callctl"

for port in "$sim_port" "$grpc_port" "$adapter_port"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "quickstart: 127.0.0.1:$port is already in use; stop what listens there or set" \
         "SIM_PORT / GRPC_PORT / ADAPTER_PORT" >&2
    exit 1
  fi
done

mkdir -p "$run_dir"
account_sid="AC00000000000000000000000000000001"
# The Twilio auth token is a secret: it reaches both processes through the environment, never
# through the config file.
TWILIO_AUTH_TOKEN="$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')"
export TWILIO_AUTH_TOKEN
cat > "$run_dir/callcontrol.json" <<JSON
{
  "daemon": { "grpc_listen": "127.0.0.1:$grpc_port", "db": "$run_dir/callcontrol.db" },
  "adapter": { "listen": "127.0.0.1:$adapter_port", "public_url": "http://127.0.0.1:$adapter_port",
               "daemon_address": "127.0.0.1:$grpc_port" },
  "tenants": [
    { "id": "acme", "provider": "twilio", "default_from": "+15005550006",
      "twilio": { "account_sid": "$account_sid", "auth_token": "\${TWILIO_AUTH_TOKEN}",
                  "api_base_url": "http://127.0.0.1:$sim_port" } }
  ]
}
JSON

pids=()
cleanup() {
  trap - EXIT INT TERM
  if [ "${#pids[@]}" -gt 0 ]; then
    echo "== stopping"
    kill -TERM "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Starts a server in the background, its stdout and stderr in a log, and waits for its
# "listening" line.
start() {
  local name="$1"; shift
  "$@" >"$run_dir/$name.log" 2>&1 &
  pids+=("$!")
  for _ in $(seq 1 100); do
    if grep -q "listening on" "$run_dir/$name.log" 2>/dev/null; then
      echo "   $name: $(grep -m1 'listening on' "$run_dir/$name.log")"
      return 0
    fi
    if ! kill -0 "$!" 2>/dev/null; then break; fi
    sleep 0.1
  done
  echo "quickstart: $name did not start; its log ($run_dir/$name.log):" >&2
  tail -n 20 "$run_dir/$name.log" >&2
  exit 1
}

echo "== starting provider-sim, callcontrold, webhook-adapter"
start provider-sim "$sim" --listen "127.0.0.1:$sim_port" \
  --twilio-account "$account_sid:$TWILIO_AUTH_TOKEN"
start callcontrold "$daemon" --config "$run_dir/callcontrol.json"
start webhook-adapter "$adapter" --config "$run_dir/callcontrol.json"

server="127.0.0.1:$grpc_port"
echo "== placing a demo call through the public API (callctl start)"
call_json="$("$callctl" --server "$server" --json start --to +14155550100 \
  --idempotency-key "quickstart-$(date +%s)")"
call_id="$(printf '%s' "$call_json" | sed -n 's/.*"callId": *"\([^"]*\)".*/\1/p')"
if [ -z "$call_id" ]; then
  echo "quickstart: StartCall did not return a call: $call_json" >&2
  exit 1
fi
echo "   call $call_id"
echo "== its events (callctl watch --since 0 --call $call_id --until-terminal)"
"$callctl" --server "$server" watch --since 0 --call "$call_id" --until-terminal
echo "== the call now (callctl get $call_id)"
"$callctl" --server "$server" get "$call_id"

if [ "$once" -eq 1 ]; then
  echo "== demo done (--once)"
  exit 0
fi

cat <<MSG

callcontrol is serving on loopback:
  gRPC API        127.0.0.1:$grpc_port   (callcontrol.v1.CallControlService, reflection on)
  webhook-adapter http://127.0.0.1:$adapter_port/webhooks/twilio/acme/status
  provider-sim    http://127.0.0.1:$sim_port      (stands in for api.twilio.com)
Try, in another terminal:
  $callctl watch                                  # live events
  $callctl start --to +14155550104                # a long call; then:
  $callctl hangup <call id>                       # ends it through the provider API
  $callctl list --all ; $callctl metrics
  tools/node_modules/.bin/buf curl --protocol grpc --http2-prior-knowledge --list-methods http://$server
Logs and the database are in $run_dir/. Press Ctrl-C to stop.
MSG
wait
