#!/usr/bin/env bash
# Runs the whole test suite: unit tests, deterministic simulations and
# multi-process integration tests on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
swift build --build-tests
swift test --skip-build "$@"
