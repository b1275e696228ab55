#!/usr/bin/env bash
# Hot swap under load: wrk drives the gateway (release, one event loop) for 60 s while
# the config is swapped 40 times (SIGHUP reloads, alternating between two upstreams and
# route sets). Passes when wrk reports 0 socket errors and 0 non-2xx responses.
#
#   bench/swap-under-load.sh [SECONDS] [SWAPS]
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-60}; SWAPS=${2:-40}
PORT=${GATEWAY_PORT:-18095}
for t in nginx wrk; do command -v $t >/dev/null || { echo "missing $t" >&2; exit 2; }; done
. bench/lib/gateway-serve.sh
cat > $W/up.conf <<CONF
worker_processes 1; daemon off; pid $W/up.pid; error_log $W/logs/up.err;
events { worker_connections 4096; }
http { access_log off;
  server { listen 127.0.0.1:18181; keepalive_requests 1000000; location / { return 200 "a"; } }
  server { listen 127.0.0.1:18182; keepalive_requests 1000000; location / { return 200 "b"; } } }
CONF
nginx -c $W/up.conf -p $W & PIDS+=($!)
config() { # upstream-id
  cat <<CONF
upstreams:
  - id: a
    targets: [{ url: "http://127.0.0.1:18181" }]
  - id: b
    targets: [{ url: "http://127.0.0.1:18182" }]
routes:
  - id: main
    match: { path_prefix: / }
    upstream: $1
  - id: side-$1
    match: { path_prefix: /side }
    split: [{ upstream: a, weight: 50 }, { upstream: b, weight: 50 }]
CONF
}
config a > $W/gateway.yaml
"$BIN" --config $W/gateway.yaml --http 127.0.0.1:$PORT --threads 1 > $W/gateway.log 2>&1 & GW=$!; PIDS+=($GW)
sleep 1
wrk -t1 -c64 -d${SECS}s http://127.0.0.1:$PORT/ > $W/wrk.out 2>&1 & WRK=$!
INTERVAL=$(awk -v s=$SECS -v n=$SWAPS 'BEGIN{printf "%.3f", (s-2)/n}')
for i in $(seq 1 $SWAPS); do
  sleep $INTERVAL
  if [ $((i % 2)) -eq 1 ]; then config b > $W/gateway.yaml.new; else config a > $W/gateway.yaml.new; fi
  mv $W/gateway.yaml.new $W/gateway.yaml
  kill -HUP $GW
done
wait $WRK
cat $W/wrk.out
APPLIED=$(grep -c "config applied" $W/gateway.log || true)
BAD=$(awk '/Non-2xx/{n+=$NF} /Socket errors/{n+=1} END{print n+0}' $W/wrk.out)
echo "swaps_sent=$SWAPS swaps_applied=$APPLIED bad_responses_or_socket_errors=$BAD"
[ "$BAD" -eq 0 ] && [ "$APPLIED" -eq "$SWAPS" ]
