#!/usr/bin/env bash
# The cache's memory bound: one meshd with `--cache-size SIZE` in front of nginx (1,000-byte
# responses, max-age=600), wrk -c32 for S seconds on paths that never repeat, so the store
# fills and evicts. Prints the node's RSS before and after (and its peak), and the store's
# entries, bytes and evictions from GET /v1/cache/stats.
#   bench/cache-rss.sh [SIZE=32MiB] [S=20]
# MESHGATE_BIN=DIR uses meshd from DIR instead of building it.
set -uo pipefail
SIZE=${1:-32MiB}; S=${2:-20}
cd "$(dirname "$0")/.."
scripts/install-deps.sh
source bench/lib/meshd-build.sh
source bench/lib/stop.sh
D=$(mktemp -d)
trap 'exec 2>/dev/null; stop_pids $D/pids; rm -rf $D' EXIT
cat > $D/up.conf <<CONF
worker_processes 1; daemon off; pid $D/up.pid; error_log $D/up.err;
events { worker_connections 4096; }
http { access_log off; server { listen 127.0.0.1:18490;
  location / { add_header Cache-Control "max-age=600"; return 200 "$(printf 'x%.0s' $(seq 1000))"; } } }
CONF
cat > $D/gateway.yaml <<YAML
upstreams:
  - { id: up, targets: [ { url: "http://127.0.0.1:18490" } ] }
routes:
  - { id: all, upstream: up, cache: {} }
YAML
cat > $D/unique.lua <<'LUA'
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", "/k/" .. math.random(1, 100000000) .. "/" .. counter)
end
LUA
nginx -c $D/up.conf -p $D & echo $! >> $D/pids
"$BIN/meshd" --name rss --bind 127.0.0.1:18491 --admin 127.0.0.1:18492 --http 127.0.0.1:18493 --insecure \
  --config $D/gateway.yaml --data-dir $D/data --cache-size $SIZE --access-log-sample 0 --log-level error > $D/meshd.log 2>&1 &
pid=$!; echo $pid >> $D/pids
for _ in $(seq 100); do curl -s -o /dev/null http://127.0.0.1:18493/ready && break; sleep 0.1; done
rss() { awk -v k="$1:" '$1 == k { printf "%.1f", $2 / 1024 }' /proc/$pid/status; }
echo "rss_before_mib=$(rss VmRSS)"
wrk -t1 -c32 -d${S}s -s $D/unique.lua http://127.0.0.1:18493/ | awk '/requests in/ { print "requests=" $1 }'
echo "rss_after_mib=$(rss VmRSS) rss_peak_mib=$(rss VmHWM)"
curl -s -H "Authorization: Bearer $(cat $D/data/admin.token)" http://127.0.0.1:18492/v1/cache/stats | python3 -c '
import json, sys; n = json.load(sys.stdin)["node"]
print(" ".join(f"{k}={n[k]}" for k in ("entries", "bytes", "capacity", "evicted")))'
