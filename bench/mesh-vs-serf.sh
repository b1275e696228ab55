#!/usr/bin/env bash
# The "Mesh" figures of docs/performance.md in one session: Serf and meshd side by side at 16 and
# 32 nodes with the lan profile (32 with a 5-minute idle run), then meshd's failure detection with
# the local profile. Output goes to stdout. The Serf script is ../shared/bench/serf-gossip.sh from
# the repository root (../../shared from a worktree under wt/), or SERF_BENCH.
#   bench/mesh-vs-serf.sh [IDLE_32=300]
set -uo pipefail
cd "$(dirname "$0")/.."
IDLE_32=${1:-300}
SERF=${SERF_BENCH:-../shared/bench/serf-gossip.sh}
[ -x "$SERF" ] || SERF=../../shared/bench/serf-gossip.sh
command -v serf >/dev/null && command -v bc >/dev/null || {
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"; $SUDO apt-get install -y -qq serf bc >/dev/null; }
echo "# $(date -u +%FT%TZ) $(git rev-parse --short HEAD) $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "## serf 16";            $SERF 16
echo "## meshd 16 lan";       bench/mesh-loopback.sh 16 lan 30
echo "## serf 32";            $SERF 32
echo "## meshd 32 lan";       bench/mesh-loopback.sh 32 lan "$IDLE_32"
echo "## meshd 16 local";     bench/mesh-loopback.sh 16 local 5
echo "## meshd 32 local";     bench/mesh-loopback.sh 32 local 5
