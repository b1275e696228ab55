#!/usr/bin/env bash
# The gateway (production build: release, static Swift runtime; ONE event-loop thread) beside nginx and HAProxy, all in
# front of the same upstream, via the shared comparison script. Prints its lines plus
# the gateway's peak RSS.
#
#   bench/proxy.sh [--seconds S] [--conns C]     (extra arguments go to the shared script)
set -euo pipefail
cd "$(dirname "$0")/.."
# The shared comparison lives beside the repository (../shared); PEERS_SCRIPT overrides it.
PEERS="${PEERS_SCRIPT:-$(pwd)/../shared/bench/proxy-vs-peers.sh}"
PORT=${GATEWAY_PORT:-18090}
. bench/lib/gateway-serve.sh
single_route_config 18080
"$BIN" --config $W/gateway.yaml --http 127.0.0.1:$PORT --threads 1 > $W/gateway.log 2>&1 &
GW=$!
PIDS+=($GW)
sleep 1
"$PEERS" --gateway-port $PORT "$@"
echo "gateway  rss_peak_mib=$(awk '/VmHWM/{printf "%.1f", $2/1024}' /proc/$GW/status) rss_now_mib=$(awk '/VmRSS/{printf "%.1f", $2/1024}' /proc/$GW/status)"
