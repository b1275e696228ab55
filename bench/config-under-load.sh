#!/usr/bin/env bash
# Deploy at lunch: N applies through the manager in S seconds while wrk drives traffic through
# a worker. Every version routes / to the same upstream (nginx answering 200 "ok") and differs
# in a response header, so any answer other than 200, any socket error, or a worker process
# that changed, is a request the deploys broke.
#   bench/config-under-load.sh [N=40] [S=60]
# Prints wrk's summary, the non-2xx and socket-error counts, and the workers' pids before and after.
set -uo pipefail
N=${1:-40}; S=${2:-60}
cd "$(dirname "$0")/.."
scripts/install-deps.sh
command -v wrk >/dev/null || { echo "needs wrk (apt-get install wrk)" >&2; exit 1; }
source bench/lib/meshd-build.sh
D=$(mktemp -d); mkdir -p $D/logs
source bench/lib/stop.sh
trap 'exec 2>/dev/null; stop_pids $D/pids; rm -rf $D' EXIT
BASE=${BASE_PORT:-29000}; UP=$((BASE + 90))
cat > $D/up.conf <<CONF
worker_processes 1; daemon off; pid $D/up.pid; error_log $D/logs/up.err;
events { worker_connections 4096; }
http { access_log off; server { listen 127.0.0.1:$UP backlog=4096; keepalive_requests 1000000;
  location / { return 200 "ok"; } } }
CONF
nginx -c $D/up.conf -p $D & echo $! >> $D/pids
source bench/lib/mesh-keys.sh
mesh_keys $D --signing
gossip() { echo 127.0.0.1:$((BASE + 3 * $1)); }
admin() { echo 127.0.0.1:$((BASE + 3 * $1 + 1)); }
start() {
  local i=$1 extra
  if [ $i -eq 0 ]; then extra="--role manager --signing-key $D/manager.key"
  else extra="--seeds $(gossip 0) --trust-key $D/manager.pub --tags env=prod --http 127.0.0.1:$((BASE + 3 * i + 2))"; fi
  setpriv --pdeathsig KILL -- "$BIN/meshd" --name n$i --bind $(gossip $i) $extra --profile lan \
    --cluster-key-file $D/cluster.key --admin $(admin $i) --admin-token-file $D/admin.token \
    --data-dir $D/n$i --log-level warning >$D/logs/n$i.log 2>&1 &
  echo $! > $D/pid.$i; cat $D/pid.$i >> $D/pids; disown
}
for i in 0 1 2; do start $i; done
"$BIN/meshctl" dev wait --token-file $D/admin.token --nodes "http://$(admin 0),http://$(admin 1),http://$(admin 2)" \
  --alive 3 --within 60 >/dev/null || { echo "the mesh did not form" >&2; exit 1; }
manifest() { # n
  cat > $D/m.yaml <<CONF
environment: prod
upstreams: [ { id: backend, targets: [ { url: "http://127.0.0.1:$UP" } ] } ]
routes:
  - id: all
    upstream: backend
    policies: [ { type: headers, response: { set: { X-Deploy: "$1" } } } ]
CONF
}
ctl() { "$BIN/meshctl" --node http://$(admin 0) --token-file $D/admin.token "$@"; }
manifest 0; ctl apply -f $D/m.yaml >/dev/null || exit 1
before="$(cat $D/pid.1) $(cat $D/pid.2)"
wrk -t1 -c64 -d${S}s --latency http://127.0.0.1:$((BASE + 5))/ > $D/wrk.out 2>&1 &
WRK=$!
sleep 1
started=$(date +%s.%N)
for n in $(seq 1 $N); do
  manifest $n; ctl apply --no-wait -f $D/m.yaml >/dev/null || echo "apply $n failed"
  # Paced by the clock, so the N applies spread over the run whatever each one takes.
  sleep "$(python3 -c "import time; print(max(0, $started + $n * ($S - 4) / $N - time.time()))")"
done
applied=$(python3 -c "import time; print(f'{time.time() - $started:.1f}')")
wait $WRK
after="$(cat $D/pid.1) $(cat $D/pid.2)"
running=$(for p in $after; do kill -0 $p 2>/dev/null && echo up; done | wc -l)
version=$(curl -s -H "Authorization: Bearer $(cat $D/admin.token)" http://$(admin 1)/v1/config |
          python3 -c "import json,sys; print(json.load(sys.stdin)['version'])")
cat $D/wrk.out
echo "applies=$N in ${applied}s, worker n1 serves version $version (of $((N + 1)))"
echo "non_2xx=$(grep -o 'Non-2xx or 3xx responses: [0-9]*' $D/wrk.out | grep -o '[0-9]*$' || echo 0)"
echo "socket_errors=$(grep -o 'Socket errors:.*' $D/wrk.out || echo none)"
echo "worker pids before: $before after: $after (running: $running of 2)"
