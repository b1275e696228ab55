#!/usr/bin/env bash
# Route-count scaling: the gateway (release, one event loop) with 12 and with 1,000
# routes (mixed hosts, prefixes and {param} segments), wrk hitting a route declared
# last. Prints req/s for each and the ratio; the target (10 routes in the issue; 12 keeps the four route shapes equal) is 1000-route >= 0.9 x 12-route.
#
#   bench/routes.sh [SECONDS] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-5}; RUNS=${2:-3}
PORT=${GATEWAY_PORT:-18096}
for t in nginx wrk; do command -v $t >/dev/null || { echo "missing $t" >&2; exit 2; }; done
. bench/lib/gateway-serve.sh
start_upstream 18183
config() { # number of routes; the last one is /svc$((N-1))/{id}/items
  echo "upstreams:"
  echo "  - id: up"
  echo "    targets: [{ url: \"http://127.0.0.1:18183\" }]"
  echo "routes:"
  for i in $(seq 0 $(($1 - 1))); do
    case $((i % 4)) in
      0) echo "  - { id: r$i, match: { host: h$i.example.com, path_prefix: /svc$i }, upstream: up }";;
      1) echo "  - { id: r$i, match: { path: /svc$i/status }, upstream: up }";;
      2) echo "  - { id: r$i, match: { host: \"*.z$i.example.com\", path_prefix: /svc$i }, upstream: up }";;
      3) echo "  - { id: r$i, match: { path_prefix: \"/svc$i/{id}/items\", methods: [GET] }, upstream: up }";;
    esac
  done
}
measure() { # routes
  local n=$1 last=$(($1 - 1))
  # the last route must be a {param} prefix route: make N a multiple of 4
  config $n > $W/gw-$n.yaml
  "$BIN" --config $W/gw-$n.yaml --http 127.0.0.1:$PORT --threads 1 > $W/gw-$n.log 2>&1 & local gw=$!
  sleep 1
  curl -sf -o /dev/null http://127.0.0.1:$PORT/svc$last/42/items/7 || { echo "route check failed" >&2; kill $gw; exit 1; }
  local all=()
  for r in $(seq 1 $RUNS); do
    all+=($(wrk -t1 -c64 -d${SECS}s http://127.0.0.1:$PORT/svc$last/42/items/7 | awk '/Requests\/sec/{print $2}'))
  done
  kill $gw; wait $gw 2>/dev/null || true
  printf '%s\n' "${all[@]}" | sort -n | awk -v n=$n '{a[NR]=$1} END{m=a[int((NR+1)/2)]; printf "routes=%-5d median_rps=%s runs=%d\n", n, m, NR; print m > "/dev/stderr"}' 2> $W/median-$n
}
measure 12
measure 1000
awk -v a=$(cat $W/median-12) -v b=$(cat $W/median-1000) 'BEGIN{printf "ratio_1000_vs_12=%.3f\n", b/a}'
