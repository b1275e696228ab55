#!/usr/bin/env bash
# The response cache's measurements behind docs/cache.md (release build, deterministic seeds).
# Run it when the machine is otherwise idle: the timings count whatever else the cores do.
#
#   bench/cache.sh            ring balance and movement, LRU against S3-FIFO, busts over 1M entries
#   bench/cache.sh ring       one of them (ring, eviction, bust)
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --scratch-path .build-release --product cache-bench >&2
measures=("$@")
[ ${#measures[@]} -eq 0 ] && measures=(ring eviction bust)
for one in "${measures[@]}"; do
  echo "== cache-bench $one" >&2
  /usr/bin/time -f "%U user s, %e wall s, %M KiB max RSS" .build-release/release/cache-bench "$one"
done
