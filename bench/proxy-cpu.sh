#!/usr/bin/env bash
# Where a proxied request's CPU goes: user and kernel microseconds per request of the gateway
# (production build, one event-loop thread) and of nginx (one worker, keep-alive upstream
# pool), each under the same wrk load in front of the same upstream (nginx, `return 200`).
# Read from /proc/PID/stat (utime, stime) over the middle of each run.
#
#   bench/proxy-cpu.sh [SECONDS=6] [CONNS=64]
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-6}; CONNS=${2:-64}
for t in nginx wrk; do command -v $t >/dev/null || { echo "missing $t" >&2; exit 2; }; done
. bench/lib/gateway-serve.sh
cat > $W/proxy.conf <<CONF
worker_processes 1; daemon off; master_process off; pid $W/px.pid; error_log $W/logs/px.err;
events { worker_connections 4096; }
http { access_log off; upstream up { server 127.0.0.1:18180; keepalive 128; }
  server { listen 127.0.0.1:18181 backlog=4096; keepalive_requests 1000000;
  location / { proxy_pass http://up; proxy_http_version 1.1; proxy_set_header Connection ""; } } }
CONF
single_route_config 18180
start_upstream 18180
nginx -c $W/proxy.conf -p $W & NGINX=$!; PIDS+=($NGINX)
"$BIN" --config $W/gateway.yaml --http 127.0.0.1:18182 --threads 1 > $W/logs/gateway.log 2>&1 & GW=$!; PIDS+=($GW)
sleep 1
HZ=$(getconf CLK_TCK)
measure() { # name pid port
  wrk -t1 -c$CONNS -d${SECS}s http://127.0.0.1:$3/ > $W/wrk.$1 & local wrk=$!
  sleep 1
  local a b window=$((SECS - 2))
  a=($(awk '{print $14, $15}' /proc/$2/stat)); sleep $window; b=($(awk '{print $14, $15}' /proc/$2/stat))
  wait $wrk
  local rps; rps=$(awk '/Requests\/sec/{print $2}' $W/wrk.$1)
  awk -v n="$1" -v u=$((b[0] - a[0])) -v s=$((b[1] - a[1])) -v hz=$HZ -v w=$window -v rps="$rps" 'BEGIN {
    req = rps * w; printf "%-8s rps=%-9.0f cpu=%3.0f%%  user_us_per_req=%.1f  kernel_us_per_req=%.1f\n",
      n, rps, 100 * (u + s) / hz / w, 1e6 * u / hz / req, 1e6 * s / hz / req }'
}
measure nginx $NGINX 18181
measure gateway $GW 18182
