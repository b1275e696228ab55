#!/usr/bin/env bash
# Cache hits through a worker that does not own the key, beside nginx proxying the same
# upstream with no cache; both with access logs off, as the shared comparison runs nginx.
# W meshd workers (the production build, defaults otherwise) form one mesh and serve one route
# with `cache: { ttl: 1h }` in front of nginx (`return 200`, 2 bytes). wrk (-t1 -c64) alternates
# between nginx and worker 1 for R rounds of S seconds, on a URL whose owners are other workers
# (W of 3 or more: with 2 workers both own every key; W=1 measures local hits).
#   bench/cache-hits.sh [W=3] [S=5] [R=3]
# MESHGATE_BIN=DIR uses meshd and meshctl from DIR instead of building them; BASE_PORT moves the ports.
set -uo pipefail
W=${1:-3}; S=${2:-5}; R=${3:-3}
cd "$(dirname "$0")/.."
for t in nginx wrk python3; do command -v $t >/dev/null || { echo "needs $t" >&2; exit 2; }; done
scripts/install-deps.sh
source bench/lib/meshd-build.sh
D=$(mktemp -d)
source bench/lib/stop.sh
trap 'exec 2>/dev/null; stop_pids $D/pids; rm -rf $D' EXIT
BASE=${BASE_PORT:-29000}
UP=$((BASE + 90)); PX=$((BASE + 91))
mkdir -p $D/logs
cat > $D/nginx.conf <<CONF
worker_processes 1; daemon off; pid $D/nginx.pid; error_log $D/logs/err;
events { worker_connections 4096; }
http { access_log off;
  server { listen 127.0.0.1:$UP reuseport backlog=4096; keepalive_requests 1000000;
    location / { add_header Cache-Control "max-age=3600"; return 200 "ok"; } }
  upstream up { server 127.0.0.1:$UP; keepalive 128; }
  server { listen 127.0.0.1:$PX backlog=4096; keepalive_requests 1000000;
    location / { proxy_pass http://up; proxy_http_version 1.1; proxy_set_header Connection ""; } } }
CONF
nginx -c $D/nginx.conf -p $D & echo $! >> $D/pids
cat > $D/routes.yaml <<CONF
upstreams:
  - { id: origin, targets: [ { url: "http://127.0.0.1:$UP" } ] }
routes:
  - { id: cached, upstream: origin, cache: { ttl: 1h } }
CONF
source bench/lib/cache-mesh.sh
start_workers $W "--config $D/routes.yaml --access-log-sample 0"
if [ "$W" -eq 1 ]; then URL=/k0; else URL=$(non_owned_url 1) || { echo "no URL owned by another worker" >&2; exit 1; }; fi
curl -s -o /dev/null "http://127.0.0.1:$(http_port 1)$URL"
run() { # name port
  local out; out=$(wrk -t1 -c64 -d${S}s --latency "http://127.0.0.1:$2$URL" 2>&1)
  local rps p50 p99 bad
  rps=$(awk '/Requests\/sec/{print $2}' <<<"$out")
  p50=$(awk '$1=="50%"{print $2}' <<<"$out"); p99=$(awk '$1=="99%"{print $2}' <<<"$out")
  bad=$(awk '/Non-2xx/{n+=$NF} /Socket errors/{n+=1} END{print n+0}' <<<"$out")
  printf '%-22s rps=%-10s p50=%-9s p99=%-9s errors=%s\n' "$1" "$rps" "$p50" "$p99" "$bad"
  echo "$rps" >> $D/rps.$3
}
echo "url $URL on worker n1, owners: $(owners_of 1 $URL)"
for r in $(seq 1 $R); do
  run "nginx proxy (no cache)" $PX nginx
  run "meshd n1 cache hits" $(http_port 1) meshd
done
python3 - $D/rps.meshd $D/rps.nginx <<'PY'
import statistics, sys
m = [float(x) for x in open(sys.argv[1])]; n = [float(x) for x in open(sys.argv[2])]
print(f"median rps: meshd hits {statistics.median(m):.0f}, nginx proxy {statistics.median(n):.0f}, "
      f"ratio {statistics.median(m) / statistics.median(n):.2f}")
PY
