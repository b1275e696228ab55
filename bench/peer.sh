#!/usr/bin/env bash
# Small request/reply round trips between two nodes on loopback (release build, one process):
# through peer sessions (PeerLinks) and through today's one-connection-per-request stream
# exchange, IN_FLIGHT at a time, printing requests/s and p50/p99 latency of each. Run it when
# the machine is otherwise idle: both nodes share its cores.
#
#   bench/peer.sh [SECONDS=5] [IN_FLIGHT=64] [BODY_BYTES=100]
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --scratch-path .build-release --product peer-bench >&2
/usr/bin/time -f "%U user s, %S system s, %e wall s, %M KiB max RSS" .build-release/release/peer-bench "$@"
