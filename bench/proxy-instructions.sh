#!/usr/bin/env bash
# User-space instructions per proxied request of the gateway (production build, one
# event-loop thread), counted by valgrind's callgrind: exact and repeatable whatever else
# the machine does, unlike req/s. wrk sends N requests' worth of load through it in front
# of the shared upstream; the count is taken over the load only (zeroed after a warm-up).
# Prints the total and the top functions by inclusive count; the whole profile is left in
# /tmp/proxy-instructions.callgrind (CALLGRIND_OUT) for callgrind_annotate.
#
#   bench/proxy-instructions.sh [SECONDS=10]      (GATEWAY_BIN measures another binary; GATEWAY_ARGS
#                                                  adds options, e.g. "--access-log-every 1 --access-log FILE")
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-10}
for t in valgrind callgrind_control callgrind_annotate wrk nginx; do
  command -v $t >/dev/null || { echo "missing $t (apt-get install valgrind wrk nginx-light)" >&2; exit 2; }
done
. bench/lib/gateway-serve.sh
# valgrind cannot read the DWARF 5 debug info of Swift binaries: measure a copy without it.
cp "$BIN" "$W/gateway"; strip --strip-debug "$W/gateway"
single_route_config 18280
start_upstream 18280
valgrind --tool=callgrind --callgrind-out-file=$W/cg.out "$W/gateway" --config $W/gateway.yaml \
  --http 127.0.0.1:18282 --threads 1 ${GATEWAY_ARGS:-} > $W/logs/valgrind.log 2>&1 & PIDS+=($!)
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
# Where they go: each function's own instructions, by the part of the program it belongs to.
callgrind_annotate --threshold=100 "$dump" 2>/dev/null | grep -E '^ *[0-9,]+ \(' | awk -v total="$total" '
  { n = $1; gsub(",", "", n); n += 0; name = $0; sub(/^[^:]*:/, "", name)
    # The frames on the stack when the count was zeroed show it all as their own: no function holds half.
    if (name ~ /PROGRAM TOTALS/ || n > total / 2) next
    if (name ~ /^\$s5Proxy/) part = "gateway (Proxy)"
    else if (name ~ /^\$s[0-9]+NIO|^\$s7NIOCore|^\$s8NIOPosix/) part = "SwiftNIO"
    else if (name ~ /^swift_(retain|release|bridgeObjectRe)|RefCounts|_swift_release_dealloc/) part = "reference counting"
    else if (name ~ /swift_beginAccess|swift_endAccess|AccessSet|SwiftTLSContext/) part = "exclusivity checks"
    else if (name ~ /malloc|free|swift_(slowAlloc|allocObject|deallocObject|deallocClassInstance)/) part = "allocation"
    else part = "Swift standard library, libc and the rest"
    sum[part] += n }
  END { for (p in sum) printf "  %5.1f%%  %s\n", 100 * sum[p] / total, p }' | sort -rn
callgrind_annotate --inclusive=yes "$dump" 2>/dev/null | grep -E '^ *[0-9,]+ \(' | grep -E 'Proxy|swift_(retain|release|beginAccess)' \
  | head -${TOP:-25} | sed -E 's/\?\?\?://; s/ \[[^]]*\]$//' | cut -c1-160
