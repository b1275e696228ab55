#!/usr/bin/env bash
# Meshgate's gossip mesh on loopback, measured the way ../shared/bench/serf-gossip.sh measures Serf:
# N meshd on 127.0.0.1 (the production build: release, static Swift runtime), all joining through node 1. It reports
#   spawn_s             how long starting nodes 2..N took
#   join_converge_s     from starting nodes 2..N until every node sees N alive
#   start_suspicions_raised  suspicions raised by all nodes from their start until then (false ones)
#   start_census_exchanges   push-pulls the nodes started on a peer's census until then
#   idle_*              over IDLE seconds of an idle mesh: suspicions raised (false ones: nobody
#                       failed), per-node CPU %, RSS, and PSS (shared library pages split among
#                       the processes mapping them)
#   failure_all_s       from kill -9 of node N until every survivor lists it dead
# Every figure comes from polling each node's admin API (meshctl dev wait, 25 ms apart).
#   bench/mesh-loopback.sh [N=16] [PROFILE=lan] [IDLE=30]
# MESHGATE_BIN=DIR uses meshd and meshctl from DIR instead of building them; BASE_PORT moves the ports.
set -uo pipefail
N=${1:-16}; PROFILE=${2:-lan}; IDLE=${3:-30}
cd "$(dirname "$0")/.."
command -v python3 >/dev/null || { echo "needs python3" >&2; exit 1; }
scripts/install-deps.sh
source bench/lib/meshd-build.sh
W=$(mktemp -d)
source bench/lib/stop.sh
trap 'exec 2>/dev/null; stop_pids $W/pids; rm -rf $W' EXIT
source bench/lib/mesh-keys.sh
mesh_keys $W
BASE=${BASE_PORT:-27000}
gossip() { echo 127.0.0.1:$((BASE + 3 * $1)); }
admin() { echo 127.0.0.1:$((BASE + 3 * $1 + 1)); }
gateway() { echo 127.0.0.1:$((BASE + 3 * $1 + 2)); }
# The shell that starts the nodes outranks them (when it may raise its priority), so that all N
# start within a fraction of a second, as a fleet does on its own hosts, instead of the loop
# waiting its turn on 2 cores behind the start-up work of the nodes it already started.
node_nice=()
renice -n -5 -p $$ >/dev/null 2>&1 && node_nice=(nice -n 5)
start() { # i
  local i=$1 seeds=""; [ $i -gt 1 ] && seeds="--seeds $(gossip 1)"
  "${node_nice[@]}" setpriv --pdeathsig KILL -- "$BIN/meshd" --name n$i --bind $(gossip $i) $seeds --profile $PROFILE \
    --cluster-key-file $W/cluster.key --admin $(admin $i) --http $(gateway $i) --admin-token-file $W/admin.token \
    --data-dir $W/n$i --log-level error >$W/log.$i 2>&1 &
  echo $! >> $W/pids; disown
}
now() { date +%s.%N; }
urls() { for i in $(seq 1 $1); do printf "http://%s," $(admin $i); done | sed 's/,$//'; }
wait_mesh() { "$BIN/meshctl" dev wait --token-file $W/admin.token --nodes "$@"; }
counter() { # name: sum of a gossip counter over nodes 1..N
  local total=0
  for i in $(seq 1 $N); do
    v=$(curl -s -m 2 -H "Authorization: Bearer $(cat $W/admin.token)" http://$(admin $i)/v1/status |
        python3 -c "import json,sys; print(int(json.load(sys.stdin)['gossip'].get('$1', 0)))" 2>/dev/null || echo 0)
    total=$((total + v))
  done
  echo $total
}
cpu_ticks() { awk '{print $14 + $15}' /proc/$1/stat; }

echo "meshd x$N on loopback, profile $PROFILE"
start 1; sleep 0.5
t0=$(now)
for i in $(seq 2 $N); do start $i; done
awk -v end=$(now) -v start=$t0 'BEGIN { printf "spawn_s=%.3f\n", end - start }'
wait_mesh "$(urls $N)" --alive $N --since $t0 --within 60 | sed 's/^converged_s/join_converge_s/'

pids=($(cat $W/pids))
echo "start_suspicions_raised=$(counter suspicions_raised)"
echo "start_census_exchanges=$(counter census_exchanges)"
sleep 1
s0=$(counter suspicions_raised)
declare -A c0; for p in "${pids[@]}"; do c0[$p]=$(cpu_ticks $p); done
sleep $IDLE
s1=$(counter suspicions_raised)
hz=$(getconf CLK_TCK)
for p in "${pids[@]}"; do
  echo "$(( $(cpu_ticks $p) - ${c0[$p]} )) $(awk '/VmRSS/{print $2}' /proc/$p/status) $(awk '/^Pss:/{print $2}' /proc/$p/smaps_rollup)"
done | awk -v hz=$hz -v s=$IDLE '{c=$1/hz/s*100; r=$2/1024; q=$3/1024; tc+=c; tr+=r; tq+=q; if(c>mc)mc=c; if(r>mr)mr=r; n++}
  END {printf "idle_cpu_pct_avg=%.2f idle_cpu_pct_max=%.2f idle_rss_mib_avg=%.1f idle_rss_mib_max=%.1f idle_pss_mib_avg=%.1f\n", tc/n, mc, tr/n, mr, tq/n}'
echo "idle_s=$IDLE idle_suspicions_raised=$((s1 - s0))"

victim=${pids[$((N - 1))]}; kill -9 $victim; tk=$(now)
wait_mesh "$(urls $((N - 1)))" --member n$N --state dead --since $tk --within 60 | sed 's/^converged_s/failure_all_s/'
