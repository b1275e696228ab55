# Sourced by the gateway benchmarks. Builds gateway-serve the way production binaries are built
# (docs/operations.md: release, Swift runtime linked statically; in .build-static) unless
# GATEWAY_BIN names a binary to measure instead, and sets BIN, a work folder W with W/logs
# (removed on exit) and PIDS (processes killed on exit); start_upstream starts the shared upstream,
# single_route_config writes the one-route config the throughput benchmarks use.
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

# start_upstream PORT: the benchmarks' upstream, nginx (one worker) answering `200 ok` on 127.0.0.1:PORT.
start_upstream() {
  cat > "$W/upstream-$1.conf" <<CONF
worker_processes 1; daemon off; pid $W/up-$1.pid; error_log $W/logs/up-$1.err;
events { worker_connections 4096; }
http { access_log off; server { listen 127.0.0.1:$1 reuseport backlog=4096; keepalive_requests 1000000;
  location / { return 200 "ok"; } } }
CONF
  nginx -c "$W/upstream-$1.conf" -p "$W" & PIDS+=($!)
}

# single_route_config PORT: $W/gateway.yaml, one route sending every path to the upstream on 127.0.0.1:PORT.
single_route_config() {
  cat > "$W/gateway.yaml" <<CONF
upstreams:
  - { id: backend, targets: [ { url: "http://127.0.0.1:$1" } ] }
routes:
  - { id: all, match: { path_prefix: / }, upstream: backend }
CONF
}
