#!/usr/bin/env bash
# Measures the Gossip core at the simulator's target settings (release build) and keeps
# the JSON of each run in bench/results/. Run it when the machine is otherwise idle:
# wall_s counts whatever else the cores are doing.
#
#   bench/gossip-core.sh          lan 1,000 nodes × 600 s, and 10% loss with 5% slow nodes ± Lifeguard
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/results
mkdir -p "$out"
swift build -c release --product mesh-sim >&2
sim=.build/release/mesh-sim

run() {
  local name="$1"; shift
  echo "running $name: mesh-sim $*" >&2
  /usr/bin/time -f "%U user s, %e wall s, %M KiB max RSS" -o "$out/$name.time" "$sim" --json "$@" > "$out/$name.json"
  cat "$out/$name.json" "$out/$name.time" >&2
}

run lan-1000 --nodes 1000 --duration 600 --loss 0.05 --latency-ms 20 --crash 10 --rumors 20 --seed 1 --profile lan
run loss-slow --nodes 500 --duration 300 --loss 0.10 --latency-ms 20 --slow 0.05 --slow-delay-ms 1000 --crash 5 --rumors 10 --seed 2
run loss-slow-no-lifeguard --nodes 500 --duration 300 --loss 0.10 --latency-ms 20 --slow 0.05 --slow-delay-ms 1000 --crash 5 --rumors 10 --seed 2 --no-lifeguard
