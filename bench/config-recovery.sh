#!/usr/bin/env bash
# Config without the manager, on loopback (the production build, lan profile): a manager and
# two workers; a manifest routing /r0 to a worker's admin API is applied; then the manager is
# killed (-9). Reports, from the start of each process to its first 200 on /r0/healthz through
# its own gateway (curl every 20 ms):
#   late_worker_ms   a third worker started with only the two workers as seeds
#   lone_restart_ms  worker 2 killed and started again with no seed at all (its last-known-good)
#   bench/config-recovery.sh [ROUNDS=5]
# MESHGATE_BIN=DIR uses meshd and meshctl from DIR instead of building them; BASE_PORT moves the ports.
set -uo pipefail
ROUNDS=${1:-5}
cd "$(dirname "$0")/.."
scripts/install-deps.sh
source bench/lib/meshd-build.sh
source bench/lib/stop.sh
D=$(mktemp -d)
trap 'exec 2>/dev/null; stop_pids $D/pids; rm -rf $D' EXIT
source bench/lib/mesh-keys.sh
mesh_keys $D --signing
BASE=${BASE_PORT:-28600}
gossip() { echo 127.0.0.1:$((BASE + 3 * $1)); }
admin() { echo 127.0.0.1:$((BASE + 3 * $1 + 1)); }
http() { echo 127.0.0.1:$((BASE + 3 * $1 + 2)); }
start() { # i SEEDS (0 is the manager); prints the pid
  local i=$1 seeds=$2 extra
  if [ $i -eq 0 ]; then extra="--role manager --signing-key $D/manager.key"
  else extra="--trust-key $D/manager.pub --tags env=prod --http $(http $i)"; fi
  [ -n "$seeds" ] && extra="$extra --seeds $seeds"
  setpriv --pdeathsig KILL -- "$BIN/meshd" --name n$i --bind $(gossip $i) $extra --profile lan \
    --cluster-key-file $D/cluster.key --admin $(admin $i) --admin-token-file $D/admin.token \
    --data-dir $D/n$i --log-level error --access-log-sample 0 >>$D/log.$i 2>&1 &
  echo $! >> $D/pids; echo $!; disown
}
now_ms() { date +%s%3N; }
# until_served I: milliseconds until worker I answers /r0/healthz with 200 (fails after 30 s).
until_served() {
  local started=$(now_ms)
  while [ $(( $(now_ms) - started )) -lt 30000 ]; do
    [ "$(curl -s -o /dev/null -w '%{http_code}' http://$(http $1)/r0/healthz)" = 200 ] && { echo $(( $(now_ms) - started )); return 0; }
    sleep 0.02
  done
  echo "timeout"; return 1
}
manager=$(start 0 "")
start 1 "$(gossip 0)" >/dev/null
start 2 "$(gossip 0)" >/dev/null
"$BIN/meshctl" dev wait --token-file $D/admin.token --nodes "http://$(admin 0),http://$(admin 1),http://$(admin 2)" \
  --alive 3 --within 60 >/dev/null || { echo "the mesh did not form" >&2; exit 1; }
cat > $D/m.yaml <<YAML
environment: prod
upstreams:
  - { id: admin, targets: [ { url: "http://$(admin 1)" } ] }
routes:
  - { id: r0, match: { path_prefix: /r0 }, strip_prefix: true, upstream: admin }
YAML
"$BIN/meshctl" --node http://$(admin 0) --token-file $D/admin.token apply -f $D/m.yaml >$D/apply.log 2>&1 || { cat $D/apply.log >&2; exit 1; }
kill -9 $manager
late=(); lone=()
for round in $(seq $ROUNDS); do
  pid=$(start 3 "$(gossip 1),$(gossip 2)")
  late+=($(until_served 3)); kill -9 $pid; rm -rf $D/n3
  for p in $(cat $D/pids); do ps -p $p -o args= 2>/dev/null | grep -q -- "--name n2 " && kill -9 $p; done
  while [ "$(curl -s -o /dev/null -w '%{http_code}' http://$(http 2)/r0/healthz)" != 000 ]; do sleep 0.02; done
  start 2 "" >/dev/null
  lone+=($(until_served 2))
done
echo "late_worker_ms ${late[*]}"
echo "lone_restart_ms ${lone[*]}"
