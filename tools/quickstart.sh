#!/usr/bin/env bash
# callcontrol quickstart: installs dependencies, builds, starts provider-sim (a loopback stand-in
# for Twilio and Telnyx), callcontrold and webhook-adapter on 127.0.0.1 with two tenants (acme on
# Twilio, globex on Telnyx), places demo calls through the public gRPC API and prints their
# events until they end (including a WebRTC + PSTN pair hung up from the server by the WebRTC
# leg's id), then keeps serving until Ctrl-C.
#
# Usage: ./tools/quickstart.sh [--once]
#   --once   exit (stopping everything) after the demo calls end
# Ports (environment): SIM_PORT (8090), GRPC_PORT (50051), ADAPTER_PORT (8080),
# METRICS_PORT (9464, the daemon's Prometheus page).
# Everything it writes goes under var/quickstart/ (config, keys, database, logs).
set -euo pipefail

once=0
for arg in "$@"; do
  case "$arg" in
    --once) once=1 ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "quickstart: unknown argument $arg (try --help)" >&2; exit 2 ;;
  esac
done

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
sim_port="${SIM_PORT:-8090}"
grpc_port="${GRPC_PORT:-50051}"
adapter_port="${ADAPTER_PORT:-8080}"
metrics_port="${METRICS_PORT:-9464}"
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

for port in "$sim_port" "$grpc_port" "$adapter_port" "$metrics_port"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "quickstart: 127.0.0.1:$port is already in use; stop what listens there or set" \
         "SIM_PORT / GRPC_PORT / ADAPTER_PORT / METRICS_PORT" >&2
    exit 1
  fi
done

mkdir -p "$run_dir"
chmod 700 "$run_dir"
account_sid="AC00000000000000000000000000000001"
random_hex() { od -An -tx1 -N"$1" /dev/urandom | tr -d ' \n'; }
# Secrets reach both processes through the environment, never through the config file: the
# Twilio auth token, the Telnyx API key and the adapter's credential to the daemon.
TWILIO_AUTH_TOKEN="$(random_hex 16)"
TELNYX_API_KEY="KEY$(random_hex 16)"
CALLCONTROL_INTERNAL_KEY="$(random_hex 24)"
AGENT_TOKEN_SECRET="$(random_hex 24)"
export TWILIO_AUTH_TOKEN TELNYX_API_KEY CALLCONTROL_INTERNAL_KEY AGENT_TOKEN_SECRET
# The tenants' API keys; the config holds only their hashes (callctl key hash).
acme_key="cck_acme_$(random_hex 16)"
globex_key="cck_globex_$(random_hex 16)"
cat > "$run_dir/keys.env" <<KEYS
# source this file: API keys of the quickstart's tenants
export ACME_API_KEY=$acme_key
export GLOBEX_API_KEY=$globex_key
export CALLCONTROL_API_KEY=$acme_key
# the simulated Twilio account's auth token, to sign webhooks by hand (README, clone flow)
export TWILIO_AUTH_TOKEN=$TWILIO_AUTH_TOKEN
KEYS
chmod 600 "$run_dir/keys.env"

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
  --twilio-account "$account_sid:$TWILIO_AUTH_TOKEN" --telnyx-api-key "$TELNYX_API_KEY" \
  --telnyx-private-key-file "$run_dir/telnyx-sim.key" \
  --telnyx-public-key-out "$run_dir/telnyx-sim.pub"
# The simulator made the Ed25519 key pair it signs Telnyx webhooks with; the adapter verifies
# them with its public half, as it would with the key from Telnyx's portal.
telnyx_public_key="$(cat "$run_dir/telnyx-sim.pub")"
cat > "$run_dir/callcontrol.json" <<JSON
{
  "daemon": { "grpc_listen": "127.0.0.1:$grpc_port", "db": "$run_dir/callcontrol.db",
              "metrics_listen": "127.0.0.1:$metrics_port",
              "internal_api_key": "\${CALLCONTROL_INTERNAL_KEY}" },
  "adapter": { "listen": "127.0.0.1:$adapter_port", "public_url": "http://127.0.0.1:$adapter_port",
               "daemon_address": "127.0.0.1:$grpc_port" },
  "tenants": [
    { "id": "acme", "provider": "twilio", "default_from": "+15005550006",
      "api_keys": [ "$("$callctl" key hash "$acme_key")" ],
      "rates": { "twilio": { "price_per_minute_micros": 14000, "currency": "USD",
                             "rounding": "per_minute" } },
      "clone": { "enabled": true, "agent_stream_url": "wss://agent.example.com/stream",
                 "max_wait_seconds": 20, "poll_interval_seconds": 2,
                 "voice_api_key": "sim-voice-key", "voice_api_base_url": "http://127.0.0.1:$sim_port",
                 "agent_token_secret": "\${AGENT_TOKEN_SECRET}" },
      "twilio": { "account_sid": "$account_sid", "auth_token": "\${TWILIO_AUTH_TOKEN}",
                  "api_base_url": "http://127.0.0.1:$sim_port" } },
    { "id": "globex", "provider": "telnyx", "default_from": "+13125550000",
      "api_keys": [ "$("$callctl" key hash "$globex_key")" ],
      "rates": { "telnyx": { "price_per_minute_micros": 7000, "currency": "USD",
                             "rounding": "per_second" } },
      "telnyx": { "api_key": "\${TELNYX_API_KEY}", "connection_id": "1494404757140276705",
                  "public_key": "$telnyx_public_key",
                  "api_base_url": "http://127.0.0.1:$sim_port" } }
  ]
}
JSON
start callcontrold "$daemon" --config "$run_dir/callcontrol.json"
start webhook-adapter "$adapter" --config "$run_dir/callcontrol.json"

server="127.0.0.1:$grpc_port"
acme=("$callctl" --server "$server" --api-key "$acme_key")
globex=("$callctl" --server "$server" --api-key "$globex_key")

# Places a call with callctl "$@" (start ...) and prints its events until it ends.
demo_call() {
  local call_json call_id
  call_json="$("$@" --json)"
  call_id="$(printf '%s' "$call_json" | sed -n 's/.*"callId": *"\([^"]*\)".*/\1/p')"
  if [ -z "$call_id" ]; then
    echo "quickstart: StartCall did not return a call: $call_json" >&2
    exit 1
  fi
  echo "   call $call_id; its events (callctl watch --since 0 --call $call_id --until-terminal):"
  "${cli[@]}" watch --since 0 --call "$call_id" --until-terminal
  echo "   the call now (callctl get $call_id):"
  "${cli[@]}" get "$call_id"
}

echo "== tenant acme (Twilio): a demo call through the public API (callctl start)"
cli=("${acme[@]}")
demo_call "${acme[@]}" start --to +14155550100 --idempotency-key "quickstart-$(date +%s)"

echo "== tenant globex (Telnyx Call Control): a demo call"
cli=("${globex[@]}")
demo_call "${globex[@]}" start --to +13125550100

echo "== tenant globex: a browser WebRTC call bridged to a phone (PSTN) leg, hung up from the"
echo "   server by the WebRTC leg's id (the phone side hears normal clearing, never busy)"
pair="$(curl -sS -X POST "http://127.0.0.1:$sim_port/sim/telnyx/webrtc_calls" \
  -H 'Content-Type: application/json' \
  -d "{\"connection_id\":\"1494404757140276705\",\"to\":\"+13125550104\",\"from\":\"+13125550000\",\"webhook_url\":\"http://127.0.0.1:$adapter_port/webhooks/telnyx/globex\"}")"
webrtc_leg="$(printf '%s' "$pair" | sed -n 's/.*"webrtc_leg": *{[^}]*"call_leg_id": *"\([^"]*\)".*/\1/p')"
pstn_leg="$(printf '%s' "$pair" | sed -n 's/.*"pstn_leg": *{[^}]*"call_leg_id": *"\([^"]*\)".*/\1/p')"
if [ -z "$webrtc_leg" ] || [ -z "$pstn_leg" ]; then
  echo "quickstart: the simulator did not start a WebRTC pair: $pair" >&2
  exit 1
fi
echo "   WebRTC leg $webrtc_leg, PSTN leg $pstn_leg; waiting until the phone answers"
for _ in $(seq 1 100); do
  if "${globex[@]}" get "$pstn_leg" 2>/dev/null | grep -q '^status: *in_progress'; then break; fi
  sleep 0.1
done
sleep 2  # a little talk time
echo "   callctl hangup $webrtc_leg"
"${globex[@]}" hangup "$webrtc_leg" >/dev/null
for _ in $(seq 1 100); do
  if "${globex[@]}" get "$pstn_leg" 2>/dev/null | grep -q '^hangup:'; then break; fi
  sleep 0.1
done
echo "   the PSTN leg now (callctl get $pstn_leg):"
"${globex[@]}" get "$pstn_leg"

if [ "$once" -eq 1 ]; then
  echo "== demo done (--once)"
  exit 0
fi

cat <<MSG

callcontrol is serving on loopback:
  gRPC API        127.0.0.1:$grpc_port   (callcontrol.v1.CallControlService, reflection on)
  webhook-adapter http://127.0.0.1:$adapter_port/webhooks/twilio/acme/status
                  http://127.0.0.1:$adapter_port/webhooks/telnyx/globex
  provider-sim    http://127.0.0.1:$sim_port      (stands in for api.twilio.com and api.telnyx.com)
  Prometheus      http://127.0.0.1:$metrics_port/metrics (daemon), http://127.0.0.1:$adapter_port/metrics (adapter)
Try, in another terminal:
  source $run_dir/keys.env                        # CALLCONTROL_API_KEY = acme's key
  $callctl watch                                  # acme's live events
  $callctl start --to +14155550104                # a long call; then:
  $callctl hangup <call id>                       # ends it through the provider API
  $callctl list --all ; $callctl metrics
  $callctl --api-key "\$GLOBEX_API_KEY" start --to +13125550104   # globex, through Telnyx
  tools/node_modules/.bin/buf curl --protocol grpc --http2-prior-knowledge --list-methods http://$server
Logs, keys and the database are in $run_dir/. Press Ctrl-C to stop.
MSG
wait
