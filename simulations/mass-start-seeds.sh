#!/usr/bin/env bash
# False deaths and suspicions of a mass start over seeds: the per-seed rows of "Mass start"
# in docs/simulation.md. Each seed is one run of
#   mesh-sim --nodes N --duration 30 --warmup 25 --join-spread S --loss 0.1 --slow 0.05 --latency-ms 20 --seed K
# (every node starts within S seconds through three seeds, 10% loss, 5% slow nodes), one
# at a time. Prints one line per seed; the JSON of each run goes to $OUT (default: a
# temporary directory).
#
#   simulations/mass-start-seeds.sh NODES SPREAD [FIRST_SEED [LAST_SEED]]
#   simulations/mass-start-seeds.sh 2000 3 1 10    about 2 minutes of CPU a seed
#   simulations/mass-start-seeds.sh 5000 5 1 1     about 17 minutes and 6.6 GB
set -euo pipefail
cd "$(dirname "$0")/.."
nodes=${1:?nodes}; spread=${2:?join spread in seconds}; first=${3:-1}; last=${4:-10}
out=${OUT:-$(mktemp -d)}
mkdir -p "$out"
swift build -c release --product mesh-sim --scratch-path .build-release >&2
for seed in $(seq "$first" "$last"); do
  json="$out/mass-start-$nodes-$seed.json"
  .build-release/release/mesh-sim --nodes "$nodes" --duration 30 --warmup 25 --join-spread "$spread" \
    --loss 0.1 --slow 0.05 --latency-ms 20 --seed "$seed" --json > "$json"
  jq -r --arg seed "$seed" '"seed \($seed): false deaths \(.false_deaths), false suspicions \(.false_suspicions) (\(.false_suspicion_episodes) distinct), CPU \(.cpu_s | round) s"' "$json"
done
echo "JSON in $out" >&2
