#!/usr/bin/env bash
# Runs one libFuzzer target of tools/fuzz (README.md lists them) under ASan + UBSan.
#
#   tools/fuzz/run.sh TARGET SECONDS     fuzz TARGET for SECONDS (one process, -jobs=1)
#   tools/fuzz/run.sh all SECONDS        every target in turn, SECONDS each
#   tools/fuzz/run.sh --merge TARGET     minimize what the runs found (and the seeds) into the
#                                        committed corpus tools/fuzz/corpus/TARGET (-merge=1 on
#                                        edges, at most MAX_FILES=200 files); TARGET may be all
#   tools/fuzz/run.sh --list             the target names
#
# Configures and builds build-fuzz (BUILD_DIR) with clang++-14 and -DCALLCONTROL_FUZZ=ON when
# needed (only the fuzzer itself and the libraries it links; JOBS, default 2). The fuzzer starts
# from the committed corpus, seeds made here from tests/fixtures (and a few written below), and what
# earlier runs found (BUILD_DIR/fuzz/corpus/TARGET, where new inputs go). Prints the executions and
# executions per second; a finding (crash, sanitizer report, trapped invariant, leak, timeout)
# leaves its input in BUILD_DIR/fuzz/artifacts/TARGET/ and exits non-zero.
# Extra libFuzzer flags: FUZZ_FLAGS (e.g. FUZZ_FLAGS="-max_len=8192").
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build_dir="${BUILD_DIR:-$root/build-fuzz}"
jobs="${JOBS:-2}"
max_files="${MAX_FILES:-200}"  # per committed corpus (--merge)
fixtures="$root/tests/fixtures"

targets() { sed -n '/^set(CALLCONTROL_FUZZ_TARGETS/,/)/p' "$here/CMakeLists.txt" |
  sed '1d; s/)//' | tr -s ' \n' '\n' | sed '/^$/d'; }

usage() {
  sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

build() {
  if [ ! -f "$build_dir/CMakeCache.txt" ]; then
    local launcher=()
    if command -v ccache >/dev/null 2>&1; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
    cmake -S "$root" -B "$build_dir" -DCALLCONTROL_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++-14 \
      -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" >/dev/null
  fi
  cmake --build "$build_dir" -j "$jobs" --target "$1_fuzzer" >/dev/null
}

# One seed file: seed NAME CONTENT... (the parts are concatenated as they are).
seed() {
  local name="$1"
  shift
  printf '%s' "$@" >"$seeds/$name"
}
# A fixture without its trailing newline (the files end with one; a provider sends none).
fixture() { printf '%s' "$(cat "$fixtures/$1")"; }

# The requests of the handler targets (fuzz_support.h ParseFuzzRequest): "@sign", "@now" and
# "@token" are filled in by the harness.
twilio_seeds() {
  local head="Content-Type: application/x-www-form-urlencoded"$'\n'"X-Twilio-Signature: @sign"
  local f
  for f in twilio_status_completed twilio_status_busy twilio_status_ringing; do
    seed "$f" "POST /webhooks/twilio/acme/status?call_id=call_0123abcd"$'\n'"$head"$'\n\n' \
      "$(fixture "$f.form")"
  done
  seed twilio_recording "POST /webhooks/twilio/acme/recording?call_id=call_0123abcd"$'\n' \
    "$head"$'\n\n' "$(fixture twilio_recording_status_completed.form)"
  seed twilio_voice "POST /webhooks/twilio/acme/voice"$'\n'"$head"$'\n\n' \
    "$(fixture twilio_incoming_call.form)"
  seed twilio_clone "POST /webhooks/twilio/acme/clone-status?call_id=call_0123abcd&attempt=2" \
    $'\n'"$head"$'\n\n' "CallSid=CA00000000000000000000000000000001&CallStatus=in-progress"
  seed twilio_unsigned "POST /webhooks/twilio/acme/status"$'\n' \
    "Content-Type: application/x-www-form-urlencoded"$'\n'"X-Twilio-Signature: AAAA"$'\n\n' \
    "CallSid=CA00000000000000000000000000000001&CallStatus=completed"
}
telnyx_seeds() {
  local f
  for f in telnyx_call_initiated telnyx_call_answered telnyx_call_hangup \
    telnyx_call_recording_saved; do
    seed "$f" "POST /webhooks/telnyx/acme"$'\n'"Content-Type: application/json"$'\n' \
      "telnyx-timestamp: @now"$'\n'"telnyx-signature-ed25519: @sign"$'\n\n' "$(fixture "$f.json")"
  done
}
exotel_seeds() {
  local f
  for f in exotel_status_default exotel_status_terminal; do
    seed "$f" "POST /webhooks/exotel/acme/status?token=@token&call_id=call_0123abcd"$'\n' \
      "Content-Type: application/x-www-form-urlencoded"$'\n\n' "$(fixture "$f.form")"
  done
  seed exotel_json "POST /webhooks/exotel/acme/status?call_id=call_0123abcd"$'\n' \
    "Content-Type: application/json"$'\n'"X-Webhook-Token: @token"$'\n\n' \
    "$(fixture exotel_status_terminal.json)"
}
bolna_seeds() {
  seed bolna_execution "POST /webhooks/bolna/acme?token=@token&call_id=call_0123abcd"$'\n' \
    "Content-Type: application/json"$'\n\n' "$(fixture bolna_execution.json)"
  seed bolna_header "POST /webhooks/bolna/acme"$'\n'"Content-Type: application/json"$'\n' \
    "X-Webhook-Token: @token"$'\n\n' \
    '{"id":"4c06b4d1","status":"completed","telephony_data":{"duration":"28",' \
    '"recording_url":"https://r.example/a.mp3","call_type":"outbound"},"total_cost":31.754}'
}

# Writes the seeds of target $1 into $seeds.
make_seeds() {
  local f
  case "$1" in
    form)
      for f in "$fixtures"/*.form; do seed "$(basename "$f")" "$(cat "$f")"; done
      seed query "call_id=call_0123abcd&attempt=2&token=a%2Bb+c"
      seed escapes "a=%41%zz&=&b&&c=%E2%82%AC"
      ;;
    twilio_webhook) twilio_seeds ;;
    telnyx_webhook) telnyx_seeds ;;
    exotel_webhook) exotel_seeds ;;
    bolna_webhook) bolna_seeds ;;
    webhook_route)
      twilio_seeds
      telnyx_seeds
      exotel_seeds
      bolna_seeds
      seed healthz "GET /healthz"
      seed empty_tenant "POST /webhooks/twilio//status"
      seed extra "POST /webhooks/bolna/acme/x/y?token=@token"
      ;;
    twilio_callback)
      for f in "$fixtures"/twilio_*.form; do
        seed "$(basename "$f")" "call_0123abcd"$'\n' "$(cat "$f")"
      done
      seed time "Sun, 25 Mar 2018 09:53:19 +0000"$'\n' "$(fixture twilio_status_busy.form)"
      ;;
    twilio_signature)
      seed python_vector "12345"$'\n'"https://mycompany.com/myapp.php?foo=1&bar=2"$'\n' \
        "RSOYDt4T1cUTdK1PDd93/VVr8B8="$'\n' \
        "CallSid=CA1234567890ABCDE&Caller=%2B12349013030&Digits=1234&From=%2B12349013030" \
        "&To=%2B18005551212"
      seed port "token"$'\n'"https://hooks.example.com:8443/webhooks/twilio/acme/status"$'\n' \
        "sig"$'\n' "$(fixture twilio_status_ringing.form)"
      seed ipv6 "token"$'\n'"http://user@[::1]:80/p?q#f"$'\n'"x"$'\n'
      ;;
    telnyx_event)
      for f in "$fixtures"/telnyx_*.json; do seed "$(basename "$f")" "$(cat "$f")"; done
      seed client_state '{"data":{"id":"e1","event_type":"call.answered","payload":' \
        '{"call_control_id":"v3:x","client_state":"Y2FsbF8wMTIzYWJjZA=="}}}'
      ;;
    telnyx_signature)
      for f in "$fixtures"/telnyx_*.json; do
        seed "$(basename "$f")" "@"$'\n'"@"$'\n'"@"$'\n' "$(cat "$f")"
      done
      seed stale "@"$'\n'"1500000000"$'\n'"@"$'\n'"{}"
      seed bad_key "AAAA"$'\n'"@"$'\n'"@"$'\n'"{}"
      seed bad_sig "@"$'\n'"@"$'\n'"not base64!"$'\n'"{}"
      ;;
    exotel_callback)
      for f in "$fixtures"/exotel_*; do seed "$(basename "$f")" "call_0123abcd"$'\n' "$(cat "$f")"; done
      seed time "2024-01-15 14:30:44"$'\n' "$(fixture exotel_status_default.form)"
      seed price "0.0000005"$'\n' "$(fixture exotel_status_terminal.json)"
      ;;
    bolna_execution)
      seed bolna_execution.json "call_0123abcd"$'\n' "$(fixture bolna_execution.json)"
      seed observed.json "call_0123abcd"$'\n' "$(fixture bolna_webhook_sequence_observed.json)"
      seed string_duration "inbound"$'\n' \
        '{"id":7,"status":"completed","telephony_data":{"duration":"28","hangup_reason":"x"},' \
        '"total_cost":"12.5","updated_at":"2024-01-15T14:30:44"}'
      ;;
    config)
      seed readme.json "$(sed -n '/^## Configuration/,/^| key/p' "$root/README.md" |
        sed -n '/^```json/,/^```/p' | sed '1d;$d' | sed 's/sha256:…/sha256:0000000000000000000000000000000000000000000000000000000000000000/;s/AC…/AC00000000000000000000000000000001/;s/\${[A-Z_]*}/secret/g;s/<base64 Ed25519 public key from the Telnyx portal>/11qYAYKxCrfVS\/7TyWQHOg7hcvPapiMlrwIaaPcHURo=/')"
      seed minimal.json '{"daemon":{"internal_api_key":"k"},"tenants":[{"id":"a","provider":' \
        '"bolna","webhook_token":"t","api_keys":["sha256:00000000000000000000000000000000000000' \
        '00000000000000000000000000"],"rates":{"bolna":{"price_per_minute_micros":1,' \
        '"currency":"USD","rounding":"per_minute"}},"clone":{"enabled":true,' \
        '"agent_stream_url":"wss://a.example/s"}}]}'
      seed env.json '{"daemon":{"internal_api_key":"${HOME}"},"tenants":[]}'
      ;;
    *)
      echo "run.sh: unknown target $1 (tools/fuzz/run.sh --list)" >&2
      exit 2
      ;;
  esac
}

# Fuzzes target $1 for $2 seconds.
fuzz() {
  local target="$1" seconds="$2"
  build "$target"
  local work="$build_dir/fuzz/corpus/$target" artifacts="$build_dir/fuzz/artifacts/$target/"
  seeds="$build_dir/fuzz/seeds/$target"
  rm -rf "$seeds"
  mkdir -p "$work" "$artifacts" "$seeds" "$here/corpus/$target"
  make_seeds "$target"
  local log="$build_dir/fuzz/$target.log"
  echo "== $target: ${seconds} s (log $log)"
  local rc=0
  # shellcheck disable=SC2086  # FUZZ_FLAGS is a list of flags
  "$build_dir/tools/fuzz/${target}_fuzzer" -max_total_time="$seconds" -print_final_stats=1 \
    -artifact_prefix="$artifacts" -timeout=10 -rss_limit_mb=2048 ${FUZZ_FLAGS:-} \
    "$work" "$here/corpus/$target" "$seeds" >"$log" 2>&1 || rc=$?
  local execs rate
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)"
  rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)"
  echo "$target: execs=${execs:-?} exec/s=${rate:-?} corpus=$(find "$work" -type f | wc -l) rc=$rc"
  if [ "$rc" -ne 0 ]; then
    grep -E "ERROR|SUMMARY|Test unit written|deadly signal" "$log" | head -n 20 >&2 || true
    echo "$target: FINDING (exit $rc); input in $artifacts" >&2
    return "$rc"
  fi
}

# Minimizes the seeds, the committed corpus and what runs found into the committed corpus.
merge() {
  local target="$1"
  build "$target"
  local work="$build_dir/fuzz/corpus/$target" out="$here/corpus/$target"
  seeds="$build_dir/fuzz/seeds/$target"
  rm -rf "$seeds"
  mkdir -p "$work" "$seeds" "$out"
  make_seeds "$target"
  local fresh
  fresh="$(mktemp -d)"
  # Edge coverage only (no hit-count buckets): a few hundred inputs at most, kept in the repo.
  "$build_dir/tools/fuzz/${target}_fuzzer" -merge=1 -use_counters=0 -max_len=4096 "$fresh" \
    "$out" "$seeds" "$work" >"$build_dir/fuzz/$target.merge.log" 2>&1
  # At most $max_files inputs in the repo: every seed (the realistic requests, named like merged
  # inputs by their SHA-1), then the smallest merged inputs. What is left out stays in $work for
  # the next runs.
  local h f
  for f in "$seeds"/*; do
    h="$(sha1sum "$f" | cut -d' ' -f1)"
    [ -f "$fresh/$h" ] || cp "$f" "$fresh/$h.seed"
  done
  local keep
  keep="$( (cd "$fresh" && ls -- *.seed 2>/dev/null; ls -S -r | grep -v '\.seed$') )"
  rm -rf "$out"
  mkdir -p "$out"
  head -n "$max_files" <<<"$keep" | while read -r f; do cp "$fresh/$f" "$out/${f%.seed}"; done
  rm -rf "$fresh"
  echo "$target: $(find "$out" -type f | wc -l) of $(grep -c . <<<"$keep") merged inputs," \
    "$(cat "$out"/* | wc -c) bytes in $out"
}

case "${1:-}" in
  --list) targets ;;
  --merge)
    [ $# -eq 2 ] || usage
    if [ "$2" = all ]; then
      for t in $(targets); do merge "$t"; done
    else
      merge "$2"
    fi
    ;;
  "" | -h | --help) usage ;;
  *)
    [ $# -eq 2 ] || usage
    [[ "$2" =~ ^[0-9]+$ ]] || usage
    if [ "$1" = all ]; then
      status=0
      for t in $(targets); do fuzz "$t" "$2" || status=1; done
      exit "$status"
    fi
    targets | grep -qx "$1" || { echo "run.sh: unknown target $1" >&2; exit 2; }
    fuzz "$1" "$2"
    ;;
esac
