# Sourced by the gateway benchmarks. Builds gateway-serve in release (SWIFT_BUILD_FLAGS may
# add e.g. --scratch-path DIR to keep that build apart) and sets BIN, a work folder W with
# W/logs (removed on exit) and PIDS (processes killed on exit).
swift build -c release ${SWIFT_BUILD_FLAGS:-} --product gateway-serve >/dev/null
BIN="$(swift build -c release ${SWIFT_BUILD_FLAGS:-} --show-bin-path)/gateway-serve"
W=$(mktemp -d); mkdir -p "$W/logs"
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill $p 2>/dev/null || true; done; rm -rf "$W"' EXIT
