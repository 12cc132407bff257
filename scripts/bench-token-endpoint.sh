#!/usr/bin/env bash
# bench-token-endpoint.sh — the client_credentials token endpoint measured across processes:
# oauthkit's examples/authserver (memory store) against fosite v0.49's own composition
# (internal/cmd/fositepeer), each its own process, driven by internal/cmd/tokenload from a
# third process over CONNS keep-alive loopback connections.
#
#   scripts/bench-token-endpoint.sh                      # 5 rounds of 10 s per server and format
#   ROUNDS=3 DURATION=5 scripts/bench-token-endpoint.sh  # a shorter run
#   SERVER_CPUS=0 LOAD_CPUS=1 scripts/bench-token-endpoint.sh   # pin servers and load apart
#
# Pairs: our opaque and encrypted formats against fosite's HMAC strategy, our jws against
# fosite's JWT strategy (ES256). Every measurement starts a fresh server (an empty store), so
# no run inherits an earlier one's tokens; within a round the pairs and the two sides of a
# pair rotate, so that drift in the machine's load falls on both sides alike. It prints each
# measurement, then per format the medians over the rounds and the ratios ours/fosite:
# throughput (above 1: ours answers more) and server CPU µs per answer (below 1: ours spends
# less), and the median of the per-round throughput ratios.
#
# Environment: ROUNDS (5), DURATION seconds (10), WARMUP seconds (1), CONNS (16),
# FORMATS ("opaque encrypted jws"), SERVER_CPUS and LOAD_CPUS (taskset CPU lists; unpinned
# when empty), PORT_OURS (18080), PORT_PEER (18081), OUT (a directory for the raw results and
# server logs; a new temporary one when empty).
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-1}
CONNS=${CONNS:-16}
FORMATS=${FORMATS:-"opaque encrypted jws"}
SERVER_CPUS=${SERVER_CPUS:-}
LOAD_CPUS=${LOAD_CPUS:-}
PORT_OURS=${PORT_OURS:-18080}
PORT_PEER=${PORT_PEER:-18081}
OUT=${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/bench-token-endpoint.XXXXXX")}
mkdir -p "$OUT"
BIN="$OUT/bin"
RESULTS="$OUT/results.txt"
: >"$RESULTS"

pin() { # cpus, command...
  local cpus=$1; shift
  if [[ -n $cpus ]]; then exec taskset -c "$cpus" "$@"; else exec "$@"; fi
}

echo "== building into $BIN"
go build -o "$BIN/authserver" ./examples/authserver
go build -o "$BIN/fositepeer" ./internal/cmd/fositepeer
go build -o "$BIN/tokenload" ./internal/cmd/tokenload

# A 32-byte secret, base64url: oauthkit keeps it as a SHA-256 digest checked in constant time;
# fositepeer compares it in plain in constant time.
SECRET=$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
CLIENT="bench:$SECRET"
export OAUTHKIT_KEK=$(head -c 32 /dev/urandom | base64 | tr -d '\n')

SERVER_PID=
stop_server() {
  if [[ -n $SERVER_PID ]]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
  fi
}
trap stop_server EXIT

# start_server side format log: starts one server in the background, sets SERVER_PID and URL,
# and returns once it has printed that it listens.
start_server() {
  local side=$1 format=$2 log=$3 ready
  if [[ $side == ours ]]; then
    (pin "$SERVER_CPUS" "$BIN/authserver" -addr "127.0.0.1:$PORT_OURS" -storage memory:// \
      -format "$format" -client "$CLIENT" -kek-file "$OUT/kek") >"$log" 2>&1 &
    URL="http://127.0.0.1:$PORT_OURS/oauth2/token"
    ready="oauthkit authorization server on"
  else
    local strategy=hmac
    [[ $format == jws ]] && strategy=jwt
    (pin "$SERVER_CPUS" "$BIN/fositepeer" -addr "127.0.0.1:$PORT_PEER" -strategy "$strategy" \
      -client "$CLIENT") >"$log" 2>&1 &
    URL="http://127.0.0.1:$PORT_PEER/oauth2/token"
    ready="token endpoint on"
  fi
  SERVER_PID=$!
  for _ in $(seq 1 300); do
    if grep -q "$ready" "$log" 2>/dev/null; then return 0; fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then break; fi
    sleep 0.1
  done
  echo "server $side/$format did not start:" >&2
  cat "$log" >&2
  exit 1
}

# measure round side format: one fresh server, one tokenload run, one line in $RESULTS.
measure() {
  local round=$1 side=$2 format=$3 line
  start_server "$side" "$format" "$OUT/$side-$format-$round.log"
  line=$( (pin "$LOAD_CPUS" "$BIN/tokenload" -url "$URL" -client "$CLIENT" -c "$CONNS" \
    -d "${DURATION}s" -warmup "${WARMUP}s" -pid "$SERVER_PID") )
  stop_server
  printf '%-9s %-6s round %d: %s\n' "$format" "$side" "$round" "$line"
  echo "$format $side $round $line" >>"$RESULTS"
}

echo "== $ROUNDS rounds of ${DURATION}s (+${WARMUP}s warm-up), $CONNS connections," \
  "servers on CPUs ${SERVER_CPUS:-any}, load on CPUs ${LOAD_CPUS:-any}; raw results in $RESULTS"
read -r -a formats <<<"$FORMATS"
n=${#formats[@]}
for ((r = 1; r <= ROUNDS; r++)); do
  for ((i = 0; i < n; i++)); do
    f=${formats[$(((i + r - 1) % n))]}
    if ((r % 2)); then
      measure "$r" ours "$f"; measure "$r" fosite "$f"
    else
      measure "$r" fosite "$f"; measure "$r" ours "$f"
    fi
  done
done

# median of the numbers on stdin
median() { sort -g | awk '{v[NR] = $1} END {if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
# field format side key: the values of key= for one format and side, one per line
field() { awk -v f="$1" -v s="$2" -v k="$3=" '$1 == f && $2 == s {for (i = 4; i <= NF; i++) if (index($i, k) == 1) print substr($i, length(k) + 1)}' "$RESULTS"; }

echo
echo "== medians of $ROUNDS rounds (peer: fosite hmac for opaque and encrypted, fosite jwt ES256 for jws)"
printf '%-10s %12s %12s %9s %11s %11s %9s %10s %10s\n' format "ours req/s" "fosite req/s" "× req/s" "ours µs" "fosite µs" "× µs" "× rounds" "ours p99"
for f in "${formats[@]}"; do
  ours_rps=$(field "$f" ours rps | median)
  peer_rps=$(field "$f" fosite rps | median)
  ours_cpu=$(field "$f" ours cpu_us | median)
  peer_cpu=$(field "$f" fosite cpu_us | median)
  ours_p99=$(field "$f" ours p99_ms | median)
  round_ratio=$(paste <(field "$f" ours rps) <(field "$f" fosite rps) | awk '{print $1 / $2}' | median)
  awk -v f="$f" -v ors="$ours_rps" -v prs="$peer_rps" -v oc="$ours_cpu" -v pc="$peer_cpu" -v rr="$round_ratio" -v p99="$ours_p99" \
    'BEGIN {printf "%-10s %12.0f %12.0f %8.2f× %11.1f %11.1f %8.2f× %9.2f× %8.2fms\n", f, ors, prs, ors / prs, oc, pc, oc / pc, rr, p99}'
done
echo
echo "× req/s: ours/fosite throughput (goals: opaque ≥ 1.0, encrypted ≥ 1.0, jws ≥ 1.3);" \
  "× µs: ours/fosite server CPU per answer (below 1: ours is cheaper); × rounds: median of the per-round throughput ratios."
