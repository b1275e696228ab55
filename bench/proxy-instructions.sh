#!/usr/bin/env bash
# User-space instructions per proxied request of the gateway (production build, one
# event-loop thread), counted by valgrind's callgrind: exact and repeatable whatever else
# the machine does, unlike req/s. wrk sends N requests' worth of load through it in front
# of the shared upstream; the count is taken over the load only (zeroed after a warm-up).
# Prints the total and the top functions by inclusive count; the whole profile is left in
# /tmp/proxy-instructions.callgrind (CALLGRIND_OUT) for callgrind_annotate.
#
#   bench/proxy-instructions.sh [SECONDS=10]      (GATEWAY_BIN measures another binary)
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-10}
for t in valgrind callgrind_control callgrind_annotate wrk nginx; do
  command -v $t >/dev/null || { echo "missing $t (apt-get install valgrind wrk nginx-light)" >&2; exit 2; }
done
. bench/lib/gateway-serve.sh
# valgrind cannot read the DWARF 5 debug info of Swift binaries: measure a copy without it.
cp "$BIN" "$W/gateway"; strip --strip-debug "$W/gateway"
cat > $W/gateway.yaml <<CONF
upstreams:
  - { id: backend, targets: [ { url: "http://127.0.0.1:18280" } ] }
routes:
  - { id: all, match: { path_prefix: / }, upstream: backend }
CONF
start_upstream 18280
valgrind --tool=callgrind --callgrind-out-file=$W/cg.out "$W/gateway" --config $W/gateway.yaml \
  --http 127.0.0.1:18282 --threads 1 > $W/logs/valgrind.log 2>&1 & PIDS+=($!)
for _ in $(seq 1 100); do curl -s -o /dev/null http://127.0.0.1:18282/ && break; sleep 0.2; done
wrk -t1 -c8 -d2s http://127.0.0.1:18282/ >/dev/null
callgrind_control -z >/dev/null
requests=$(wrk -t1 -c8 -d${SECS}s http://127.0.0.1:18282/ | awk '/requests in/{print $1}')
callgrind_control -d >/dev/null
sleep 1
dump=$(ls -t $W/cg.out.* | head -1)
total=$(callgrind_annotate "$dump" 2>/dev/null | awk '/PROGRAM TOTALS/{gsub(",","",$1); print $1}')
echo "requests=$requests instructions=$total per_request=$((total / requests))"
cp "$dump" "${CALLGRIND_OUT:-/tmp/proxy-instructions.callgrind}"
callgrind_annotate --inclusive=yes "$dump" 2>/dev/null | grep -E '^ *[0-9,]+ \(' | grep -E 'Proxy|swift_(retain|release|beginAccess)' \
  | head -${TOP:-25} | sed -E 's/\?\?\?://; s/ \[[^]]*\]$//' | cut -c1-160
