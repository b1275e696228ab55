#!/usr/bin/env bash
# Starts a local mesh on loopback: a manager and three workers with a fresh cluster key in
# .meshgate-dev/. Prints their addresses and the meshctl command to look at them; Ctrl-C stops them.
#   scripts/dev-up.sh [--release] [meshctl dev up options, e.g. --workers 5 --profile lan]
set -euo pipefail
cd "$(dirname "$0")/.."
config=debug
if [ "${1:-}" = "--release" ]; then config=release; shift; fi
scripts/install-deps.sh
echo "building meshd and meshctl ($config)…"
swift build -c "$config" --product meshd
swift build -c "$config" --product meshctl
exec "$(swift build -c "$config" --show-bin-path)/meshctl" dev up "$@"
