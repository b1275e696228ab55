#!/usr/bin/env bash
# The cluster's hit rate and the origin's load under a Zipf workload, and a worker's SIGTERM
# and return under it. W meshd workers (production build, access log off) serve one route with
# `cache: { ttl: 1h }` in front of nginx; one wrk per worker draws GET /k<i> from Zipf(0.99)
# over K keys (bench/cache/zipf.lua). Every second it samples the requests the workers answered
# (meshgate_gateway_requests_total) and those the origin saw (nginx stub_status).
#   phase warm:    WARM seconds of warm-up (the key space's first requests are misses)
#   phase steady:  T seconds: cluster hit rate, origin requests against client requests
#   phase leave:   worker W gets SIGTERM (its clients stop), T seconds on the others
#   phase rejoin:  worker W starts again with an empty cache, T seconds on all
# For each second: client req/s, origin req/s, hit rate. Then per phase: hit rate, the
# origin's peak rate against its steady rate, and seconds until the hit rate is >= 95% again.
#   bench/cache-zipf.sh [W=6] [K=100000] [T=15] [WARM=60]
# MESHGATE_BIN=DIR uses meshd and meshctl from DIR; BASE_PORT moves the ports.
set -uo pipefail
W=${1:-6}; K=${2:-100000}; T=${3:-15}; WARM=${4:-60}
cd "$(dirname "$0")/.."
for t in nginx wrk python3; do command -v $t >/dev/null || { echo "needs $t" >&2; exit 2; }; done
scripts/install-deps.sh
source bench/lib/meshd-build.sh
D=$(mktemp -d)
source bench/lib/stop.sh
trap 'exec 2>/dev/null; stop_pids $D/pids; rm -rf $D' EXIT
BASE=${BASE_PORT:-29400}
UP=$((BASE + 90)); STATUS=$((BASE + 91))
mkdir -p $D/logs
cat > $D/nginx.conf <<CONF
worker_processes 1; daemon off; pid $D/nginx.pid; error_log $D/logs/err;
events { worker_connections 8192; }
http { access_log off;
  server { listen 127.0.0.1:$UP reuseport backlog=4096; keepalive_requests 1000000;
    location / { add_header Cache-Control "max-age=3600"; return 200 "payload-of-some-bytes"; } }
  server { listen 127.0.0.1:$STATUS; location / { stub_status; } } }
CONF
nginx -c $D/nginx.conf -p $D >/dev/null 2>&1 & echo $! >> $D/pids
cat > $D/routes.yaml <<CONF
upstreams:
  - { id: origin, targets: [ { url: "http://127.0.0.1:$UP" } ] }
routes:
  - { id: cached, upstream: origin, cache: { ttl: 1h } }
CONF
source bench/lib/cache-mesh.sh
FLAGS="--config $D/routes.yaml --access-log-sample 0 --cache-size 256MiB"
start_workers $W "$FLAGS"
load() { # i seconds
  ZIPF_N=$K ZIPF_SEED=$1 setpriv --pdeathsig KILL -- wrk -t1 -c8 -d${2}s -s bench/cache/zipf.lua \
    "http://127.0.0.1:$(http_port $1)" >$D/wrk.$1.$2.$RANDOM 2>&1 &
  echo $! >> $D/pids
}
sample() { # phase seconds nodes...
  local phase=$1 secs=$2; shift 2
  BASE=$BASE STATUS=$STATUS python3 bench/cache/sample.py "$phase" "$secs" "$@" >> $D/samples
}
all=$(seq 1 $W)
for i in $all; do load $i $((WARM + 3 * T + 10)); done
sample warm $WARM $all
sample steady $T $all
kill -TERM $(cat $D/pid.$W)
sample leave $T $(seq 1 $((W - 1)))
start_worker $W "$FLAGS"
"$BIN/meshctl" dev wait --token-file $D/admin.token --nodes http://127.0.0.1:$(admin_port $W) --alive $W --within 30 >/dev/null
load $W $((T + 5))
sample rejoin $T $all
python3 bench/cache/summary.py < $D/samples
