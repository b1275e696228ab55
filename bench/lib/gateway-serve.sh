# Sourced by the gateway benchmarks. Builds gateway-serve the way production binaries are built
# (docs/operations.md: release, Swift runtime linked statically; in .build-static) unless
# GATEWAY_BIN names a binary to measure instead, and sets BIN, a work folder W with W/logs
# (removed on exit) and PIDS (processes killed on exit).
if [ -n "${GATEWAY_BIN:-}" ]; then
  BIN=$GATEWAY_BIN
else
  BUILD=(swift build -c release --static-swift-stdlib --scratch-path .build-static)
  "${BUILD[@]}" --product gateway-serve >/dev/null
  BIN="$("${BUILD[@]}" --show-bin-path)/gateway-serve"
fi
W=$(mktemp -d); mkdir -p "$W/logs"
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill $p 2>/dev/null || true; done; rm -rf "$W"' EXIT
