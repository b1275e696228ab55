#!/usr/bin/env bash
# Runs the simulator's target runs with a release build and prints a Markdown
# table of the results; the raw JSON of every run goes to simulations/results/.
#
#   simulations/run-targets.sh            all runs (about ten minutes on 2 cores)
#   simulations/run-targets.sh quick      everything but the 10,000-node runs
#
# Wall times depend on what else the machine does: run it when the machine is calm.
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-all}"
out=simulations/results
mkdir -p "$out"

swift build -c release --product mesh-sim --scratch-path .build-release >&2
sim=.build-release/release/mesh-sim

# run NAME ARGS... : one simulation, its JSON saved as $out/NAME.json
run() {
  local name="$1"; shift
  echo "running $name: mesh-sim $*" >&2
  "$sim" --json "$@" > "$out/$name.json"
}

run lan-1000 --scenario simulations/scenarios/lan-1000.yaml --plot docs/simulation-lan-1000.svg
run loss-slow --scenario simulations/scenarios/loss-slow.yaml
run loss-slow-no-lifeguard --scenario simulations/scenarios/loss-slow.yaml --no-lifeguard
run partition-heal --scenario simulations/scenarios/partition-heal.yaml
run churn --scenario simulations/scenarios/churn.yaml
# Constant per-node load: the 10,000-node scenario's settings at 100 and 1,000 nodes.
run load-100 --scenario simulations/scenarios/nodes-10000.yaml --nodes 100
run load-1000 --scenario simulations/scenarios/nodes-10000.yaml --nodes 1000
if [ "$mode" != quick ]; then
  run nodes-10000 --scenario simulations/scenarios/nodes-10000.yaml
fi

{
  echo "Results of simulations/run-targets.sh at $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD),"
  echo "$(nproc) cores, load average before the last run: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo
  echo "| run | nodes | lifeguard | crashes | detection p50 / p99 / max (s) | undetected | false suspicions | false deaths | rumor to all p99 (s) | max periods | heal converge (s) | msgs/node/s | bytes/node/s | wall (s) | peak RSS (MiB) |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
  for f in lan-1000 loss-slow loss-slow-no-lifeguard partition-heal churn load-100 load-1000 nodes-10000; do
    [ -f "$out/$f.json" ] || continue
    jq -r --arg name "$f" '
      def n(x; d): if x == null then "–" else (x * pow(10; d) | round / pow(10; d) | tostring) end;
      "| \($name) | \(.nodes) | \(if .lifeguard then "on" else "off" end) | \(.crashes) | \(n(.detection_p50_s; 2)) / \(n(.detection_p99_s; 2)) / \(n(.detection_max_s; 2)) | \(.undetected_crashes) | \(.false_suspicions) | \(.false_deaths) | \(n(.rumor_to_all_p99_s; 3)) | \(n(.rumor_to_all_max_periods; 2)) | \(n(.partition_heal_converge_s; 2)) | \(n(.msgs_per_node_per_s; 1)) | \(n(.bytes_per_node_per_s; 0)) | \(n(.wall_s; 1)) | \(n(.peak_rss_mib; 0)) |"
    ' "$out/$f.json"
  done
} | tee "$out/table.md"
