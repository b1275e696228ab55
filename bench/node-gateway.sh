#!/usr/bin/env bash
# The gateway inside a node beside the gateway alone: meshd (production build, its
# Prometheus registry and its two gateway event loops) and gateway-serve with two loops,
# in front of the same upstream, wrk -t2 -c64 against each in turn, RUNS times. Shows what
# the node adds to a proxied request (metrics, its other work) under load.
#
#   bench/node-gateway.sh [RUNS=2] [SECONDS=5]
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-2}; SECS=${2:-5}
for t in nginx wrk curl; do command -v $t >/dev/null || { echo "missing $t" >&2; exit 2; }; done
. bench/lib/gateway-serve.sh
BUILD=(swift build -c release --static-swift-stdlib --scratch-path .build-static)
"${BUILD[@]}" --product meshd >/dev/null
MESHD="$("${BUILD[@]}" --show-bin-path)/meshd"
start_upstream 18580
single_route_config 18580
"$MESHD" --name bench --bind 127.0.0.1:18546 --admin 127.0.0.1:18547 --http 127.0.0.1:18590 \
  --config $W/gateway.yaml --insecure --data-dir $W/node --log-level warning > $W/logs/meshd.log 2>&1 & PIDS+=($!)
"$BIN" --config $W/gateway.yaml --http 127.0.0.1:18591 --threads 2 > $W/logs/gateway.log 2>&1 & PIDS+=($!)
for port in 18590 18591; do
  for _ in $(seq 1 100); do curl -s -o /dev/null http://127.0.0.1:$port/ && break; sleep 0.2; done
done
for run in $(seq 1 "$RUNS"); do
  for target in "meshd 18590" "gateway-serve 18591"; do
    set -- $target
    printf '%-14s run=%s rps=%s\n' "$1" "$run" "$(wrk -t2 -c64 -d${SECS}s http://127.0.0.1:$2/ | awk '/Requests\/sec/{print $2}')"
  done
done
