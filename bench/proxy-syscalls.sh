#!/usr/bin/env bash
# System calls per proxied request, gateway (one event-loop thread) beside nginx (one worker),
# both under the same wrk load in front of the same upstream; counted by perf's syscall
# tracepoints over the middle of each run (needs root or perf_event_paranoid ≤ 1).
#
#   bench/proxy-syscalls.sh [SECONDS=6] [CONNS=64]
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-6}; CONNS=${2:-64}
for t in nginx wrk perf; do command -v $t >/dev/null || { echo "missing $t (apt-get install nginx-light wrk linux-perf)" >&2; exit 2; }; done
. bench/lib/gateway-serve.sh
cat > $W/proxy.conf <<CONF
worker_processes 1; daemon off; master_process off; pid $W/px.pid; error_log $W/logs/px.err;
events { worker_connections 4096; }
http { access_log off; upstream up { server 127.0.0.1:18380; keepalive 128; }
  server { listen 127.0.0.1:18381 backlog=4096; keepalive_requests 1000000;
  location / { proxy_pass http://up; proxy_http_version 1.1; proxy_set_header Connection ""; } } }
CONF
single_route_config 18380
start_upstream 18380
nginx -c $W/proxy.conf -p $W & NGINX=$!; PIDS+=($NGINX)
"$BIN" --config $W/gateway.yaml --http 127.0.0.1:18382 --threads 1 > $W/logs/gateway.log 2>&1 & GW=$!; PIDS+=($GW)
sleep 1
EVENTS=syscalls:sys_enter_read,syscalls:sys_enter_recvfrom,syscalls:sys_enter_write,syscalls:sys_enter_writev,syscalls:sys_enter_epoll_wait
measure() { # name pid port
  wrk -t1 -c$CONNS -d${SECS}s http://127.0.0.1:$3/ > $W/wrk.$1 & local wrk=$!
  sleep 1
  local window=$((SECS - 2))
  perf stat -x, -e "$EVENTS" -p $2 -- sleep $window 2> $W/perf.$1
  wait $wrk
  awk -F, -v n="$1" -v rps="$(awk '/Requests\/sec/{print $2}' $W/wrk.$1)" -v w=$window '
    { sub(/^syscalls:sys_enter_/, "", $3); count[$3] = $1 }
    END { req = rps * w; printf "%-8s rps=%-7.0f per request:", n, rps
          for (c in count) if (count[c] > 0) printf " %s=%.2f", c, count[c] / req; printf "\n" }' $W/perf.$1
}
measure nginx $NGINX 18381
measure gateway $GW 18382
