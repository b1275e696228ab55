#!/usr/bin/env bash
# How many copies of each plain rumor every node got in its first wave, for the lan-1000
# scenario with --no-urgent-rumors: the figures behind "Rumors: urgent and plain" in
# docs/simulation.md. The core reports only a rumor's first delivery, so this builds a
# diagnostic mesh-sim from COMMIT in a scratch worktree, with one print added at the top of
# GossipNode.handleRumor (every copy received, new or not), and counts them.
#
#   simulations/rumor-copies.sh [COMMIT=HEAD] [SEED=1]    (about 2 minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
COMMIT=${1:-HEAD}; SEED=${2:-1}
WT=$(mktemp -d)
trap 'git worktree remove --force "$WT" >/dev/null 2>&1 || rm -rf "$WT"' EXIT
git worktree add --detach "$WT" "$COMMIT" >/dev/null 2>&1
# One line per copy received: RUMOR-COPY <subject> <virtual seconds> <node>.
sed -i 's|^    func handleRumor(_ rumor: Rumor, from sender: NodeAddress, now: Instant) {$|&\n        print("RUMOR-COPY \\(rumor.subject) \\(Double(now.nanoseconds) / 1e9) \\(localName)")|' \
  "$WT/Sources/Gossip/GossipNode+Calls.swift"
grep -q RUMOR-COPY "$WT/Sources/Gossip/GossipNode+Calls.swift" || { echo "handleRumor not found at $COMMIT" >&2; exit 1; }
swift build -c release --product mesh-sim --package-path "$WT" --scratch-path .build-diagnostic >&2
.build-diagnostic/release/mesh-sim --scenario simulations/scenarios/lan-1000.yaml --no-urgent-rumors --seed "$SEED" \
  | grep '^RUMOR-COPY' | python3 -c '
import collections, sys
first, copies, receivers = {}, collections.Counter(), collections.defaultdict(set)
for line in sys.stdin:
    _, subject, time, node = line.split()
    time = float(time)
    first.setdefault(subject, time)
    receivers[subject].add(node)
    if time - first[subject] < 3: copies[subject, node] += 1
pairs = [copies[subject, node] for subject in receivers for node in receivers[subject]]
low = collections.Counter(min(c, 3) for c in pairs)
print(f"commit={sys.argv[1]} seed={sys.argv[2]} rumors={len(receivers)} node_rumor_pairs={len(pairs)}")
print(f"copies in the first 3 s: mean {sum(pairs) / len(pairs):.1f}; pairs with 0: {low[0]}, 1: {low[1]}, 2: {low[2]}")
' "$COMMIT" "$SEED"
