#!/usr/bin/env bash
# Cache busts acknowledged by every worker: N meshd workers on 127.0.0.1 (the production build:
# release, static Swift runtime), BUSTS busts in a row through node 1's admin API
# (POST /v1/cache/bust, what meshctl bust sends), each answered once every other alive worker
# acknowledged it over the stream port. It reports the node's own figure (elapsed_ms: from taking
# the request to the last acknowledgement) as p50, p99 and max, and how many busts missed an ack.
#   bench/cache-bust.sh [N=8] [BUSTS=50] [PROFILE=local]
# MESHGATE_BIN=DIR uses meshd and meshctl from DIR instead of building them; BASE_PORT moves the ports.
set -uo pipefail
N=${1:-8}; BUSTS=${2:-50}; PROFILE=${3:-local}
cd "$(dirname "$0")/.."
command -v python3 >/dev/null && command -v curl >/dev/null || { echo "needs python3 and curl" >&2; exit 1; }
source bench/lib/meshd-build.sh
W=$(mktemp -d)
source bench/lib/stop.sh
trap 'exec 2>/dev/null; stop_pids $W/pids; rm -rf $W' EXIT
source bench/lib/mesh-keys.sh
mesh_keys $W
BASE=${BASE_PORT:-28000}
gossip() { echo 127.0.0.1:$((BASE + 3 * $1)); }
admin() { echo 127.0.0.1:$((BASE + 3 * $1 + 1)); }
gateway() { echo 127.0.0.1:$((BASE + 3 * $1 + 2)); }
for i in $(seq 1 $N); do
  seeds=""; [ $i -gt 1 ] && seeds="--seeds $(gossip 1)"
  setpriv --pdeathsig KILL -- "$BIN/meshd" --name w$i --bind $(gossip $i) $seeds --profile $PROFILE \
    --cluster-key-file $W/cluster.key --admin $(admin $i) --http $(gateway $i) --admin-token-file $W/admin.token \
    --data-dir $W/w$i --log-level error >$W/log.$i 2>&1 &
  echo $! >> $W/pids; disown
done
urls=$(for i in $(seq 1 $N); do printf "http://%s," $(admin $i); done | sed 's/,$//')
"$BIN/meshctl" dev wait --token-file $W/admin.token --nodes "$urls" --alive $N --within 60 >/dev/null || {
  echo "the mesh did not form" >&2; exit 1; }
sleep 1
for b in $(seq 1 $BUSTS); do
  curl -s -m 10 -H "Authorization: Bearer $(cat $W/admin.token)" -H 'Content-Type: application/json' \
    -d "{\"tag\": \"bench-$b\"}" http://$(admin 1)/v1/cache/bust
  echo
done > $W/answers
python3 - "$W/answers" "$N" <<'PY'
import json, sys
answers = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
ms = sorted(a["elapsed_ms"] for a in answers)
pick = lambda q: ms[min(len(ms) - 1, int(q * len(ms)))]
missed = sum(1 for a in answers if a["missing"] or len(a["acknowledged"]) != int(sys.argv[2]) - 1)
print(f"workers={sys.argv[2]} busts={len(ms)} acked_by_all_p50_ms={pick(0.5):.2f} acked_by_all_p99_ms={pick(0.99):.2f} "
      f"acked_by_all_max_ms={ms[-1]:.2f} busts_missing_an_ack={missed}")
PY
