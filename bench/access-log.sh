#!/usr/bin/env bash
# What the access log costs, side by side in one run: nginx (one worker, keep-alive
# upstream) with `access_log` to a file in its `combined` format and with it off, the
# gateway (production build, one event loop) with `--access-log` to a file and with it off,
# and meshd as users run it (its defaults: two gateway loops, the access log as JSON on
# standard output, here a file), all in front of the same upstream; `wrk -t1 -c64` against
# each in turn, ROUNDS times. Prints each run, then each proxy's loss from logging
# (1 - logged/off, from the sums over the rounds), gateway/nginx with the log on and off,
# and meshd/nginx, each with its default log.
#
#   bench/access-log.sh [ROUNDS=2] [SECONDS=5] [FORMAT=json|combined]   (GATEWAY_BIN: another gateway-serve;
#                                                                       MESHGATE_BIN: a folder with another meshd)
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-2}; SECS=${2:-5}; FORMAT=${3:-json}
for t in nginx wrk curl; do command -v $t >/dev/null || { echo "missing $t (apt-get install nginx-light wrk curl)" >&2; exit 2; }; done
source bench/lib/meshd-build.sh
MESHD="$BIN/meshd"
. bench/lib/gateway-serve.sh
start_upstream 18680
single_route_config 18680
for port in 18681 18682; do
  log="access_log off;"
  [ $port = 18682 ] && log="access_log $W/logs/nginx-access.log combined;"
  cat > "$W/proxy-$port.conf" <<CONF
worker_processes 1; daemon off; pid $W/px-$port.pid; error_log $W/logs/px-$port.err;
events { worker_connections 4096; }
http { $log upstream up { server 127.0.0.1:18680; keepalive 128; }
  server { listen 127.0.0.1:$port backlog=4096; keepalive_requests 1000000;
  location / { proxy_pass http://up; proxy_http_version 1.1; proxy_set_header Connection ""; } } }
CONF
  nginx -c "$W/proxy-$port.conf" -p "$W" & PIDS+=($!)
done
"$BIN" --config $W/gateway.yaml --http 127.0.0.1:18683 --threads 1 > $W/logs/gw-off.log 2>&1 & PIDS+=($!)
"$BIN" --config $W/gateway.yaml --http 127.0.0.1:18684 --threads 1 --access-log-every 1 \
  --access-log $W/logs/gateway-access.log --access-log-format "$FORMAT" > $W/logs/gw-on.log 2>&1 & PIDS+=($!)
"$MESHD" --name bench --bind 127.0.0.1:18646 --admin 127.0.0.1:18647 --http 127.0.0.1:18685 \
  --config $W/gateway.yaml --insecure --data-dir $W/node > $W/logs/meshd-access.log 2> $W/logs/meshd.log & PIDS+=($!)
for port in 18681 18682 18683 18684 18685; do
  for _ in $(seq 1 100); do curl -s -o /dev/null http://127.0.0.1:$port/ && break; sleep 0.2; done
done
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq 1 "$ROUNDS"); do
  for target in "nginx-off 18681" "nginx-log 18682" "gateway-off 18683" "gateway-log 18684" "meshd 18685"; do
    set -- $target
    out=$(wrk -t1 -c64 -d${SECS}s --latency http://127.0.0.1:$2/)
    rps=$(awk '/Requests\/sec/{print $2}' <<<"$out"); p99=$(awk '$1=="99%"{print $2}' <<<"$out")
    printf '%-12s round=%s rps=%-10s p99=%s\n' "$1" "$round" "$rps" "$p99"
    echo "$1 $rps" >> $W/rps
  done
done
echo "lines: nginx $(wc -l < $W/logs/nginx-access.log), gateway $(wc -l < $W/logs/gateway-access.log), meshd $(wc -l < $W/logs/meshd-access.log)"
awk '{s[$1] += $2} END {
  printf "loss from logging: nginx %.1f%%, gateway %.1f%%\n", 100 * (1 - s["nginx-log"] / s["nginx-off"]), 100 * (1 - s["gateway-log"] / s["gateway-off"])
  printf "gateway/nginx: log on %.2f, log off %.2f\n", s["gateway-log"] / s["nginx-log"], s["gateway-off"] / s["nginx-off"]
  printf "meshd (defaults)/nginx (access log to a file): %.2f\n", s["meshd"] / s["nginx-log"] }' $W/rps
