#!/usr/bin/env bash
# Runs the simulator's target runs with a release build and prints a Markdown
# table of the results; the raw JSON of every run goes to simulations/results/.
#
#   simulations/run-targets.sh                 every run but nodes-10000 (about 5 minutes)
#   simulations/run-targets.sh churn lan-1000  only the named runs; the table shows every result on disk
#   simulations/run-targets.sh nodes-10000     the 10,000-node run (about 25 minutes, 20 GB of memory);
#                                              /usr/bin/time -v output goes to results/nodes-10000.time
#
# Wall times depend on what else the machine does: cpu_s (user + system seconds
# of the simulator) is the steadier figure. Run it when the machine is calm.
set -euo pipefail
cd "$(dirname "$0")/.."
out=simulations/results
mkdir -p "$out"
all=(lan-1000 lan-1000-plain loss-slow loss-slow-no-lifeguard loss-30 loss-30-no-lifeguard partition-heal churn
     mass-start mass-start-converge load-100 load-1000 nodes-10000)
wanted=("$@")
[ ${#wanted[@]} -eq 0 ] && wanted=("${all[@]/nodes-10000}")

swift build -c release --product mesh-sim --scratch-path .build-release >&2
sim=.build-release/release/mesh-sim
scenarios=simulations/scenarios

# run NAME ARGS... : one simulation, its JSON saved as $out/NAME.json, if NAME was asked for
run() {
  local name="$1"; shift
  [[ " ${wanted[*]} " == *" $name "* ]] || return 0
  echo "running $name: mesh-sim $*" >&2
  local timing=()
  # Large blocks (member tables of 10,000 records) from mmap, returned whole when they
  # grow, instead of fragmenting the heap: about a tenth less memory at thousands of nodes.
  [ "$name" = nodes-10000 ] && timing=(env GLIBC_TUNABLES=glibc.malloc.mmap_threshold=65536
                                       /usr/bin/time -v -o "$out/$name.time")
  "${timing[@]}" "$sim" --json "$@" > "$out/$name.json.tmp" && mv "$out/$name.json.tmp" "$out/$name.json"
}

run lan-1000 --scenario $scenarios/lan-1000.yaml --plot docs/simulation-lan-1000.svg
run lan-1000-plain --scenario $scenarios/lan-1000.yaml --no-urgent-rumors
run loss-slow --scenario $scenarios/loss-slow.yaml
run loss-slow-no-lifeguard --scenario $scenarios/loss-slow.yaml --no-lifeguard
# 30% loss: streams lose SYNs and segments too, so false suspicions show again.
run loss-30 --nodes 200 --duration 120 --loss 0.3 --latency-ms 5 --crash 2 --rumors 10 --seed 31
run loss-30-no-lifeguard --nodes 200 --duration 120 --loss 0.3 --latency-ms 5 --crash 2 --rumors 10 --seed 31 --no-lifeguard
run partition-heal --scenario $scenarios/partition-heal.yaml
run churn --scenario $scenarios/churn.yaml
# 2,000 nodes started within 3 s: with 10% loss and 5% slow nodes (false deaths), and with 1% loss (convergence).
run mass-start --scenario $scenarios/mass-start.yaml
run mass-start-converge --scenario $scenarios/mass-start.yaml --loss 0.01 --slow 0
# Constant per-node load: the 10,000-node scenario's settings at 100 and 1,000 nodes.
run load-100 --scenario $scenarios/nodes-10000.yaml --nodes 100
run load-1000 --scenario $scenarios/nodes-10000.yaml --nodes 1000
# Bounded: it stops (and reports how far it got) at 21,500 MiB of memory or 40 minutes of wall time.
run nodes-10000 --scenario $scenarios/nodes-10000.yaml --max-rss-mib 21500 --max-wall 2400

{
  echo "Results of simulations/run-targets.sh, $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD),"
  echo "$(nproc) cores, load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo
  echo "| run | nodes | virtual s | lifeguard | crashes | detection p50 / p99 / max (s) | undetected | false suspicions (distinct) | false deaths | rumor to all p50 / p99 (s) | max periods | heal / join converge (s) | msgs/node/s | bytes/node/s | wall (s) | CPU (s) | peak RSS (MiB) |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
  for f in "${all[@]}"; do
    [ -f "$out/$f.json" ] || continue
    jq -r --arg name "$f" '
      def n(x; d): if x == null then "–" else (x * pow(10; d) | round / pow(10; d) | tostring) end;
      "| \($name) | \(.nodes) | \(n(.reached_s; 0))\(if .completed == false then " (" + .stop_reason + ")" else "" end) | \(if .lifeguard then "on" else "off" end) | \(.crashes) | \(n(.detection_p50_s; 2)) / \(n(.detection_p99_s; 2)) / \(n(.detection_max_s; 2)) | \(.undetected_crashes) | \(.false_suspicions) (\(.false_suspicion_episodes)) | \(.false_deaths) | \(n(.rumor_to_all_p50_s; 3)) / \(n(.rumor_to_all_p99_s; 3)) | \(n(.rumor_to_all_max_periods; 2)) | \(n(.partition_heal_converge_s; 2)) / \(n(.join_converge_s; 2)) | \(n(.msgs_per_node_per_s; 1)) | \(n(.bytes_per_node_per_s; 0)) | \(n(.wall_s; 1)) | \(n(.cpu_s; 1)) | \(n(.peak_rss_mib; 0)) |"
    ' "$out/$f.json"
  done
} | tee "$out/table.md"
