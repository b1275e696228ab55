#!/usr/bin/env bash
# HTTP caching conformance: the public cache test suite (github.com/http-tests/cache-tests,
# the suite behind cache-tests.fyi) run against a meshd route with `cache: {}`, and the result
# counted the way the suite's own report counts it, beside the published results of other
# caches that the checkout's results/ folder holds.
#
#   bench/cache-conformance.sh CHECKOUT     (a checkout of http-tests/cache-tests; needs node)
#
# The suite's origin listens on :8000 (its default); meshd serves on 127.0.0.1:28080 and sends
# every path there. The raw results are left in /tmp/cache-conformance-meshd.json
# (RESULTS moves them). MESHGATE_BIN=DIR uses meshd from DIR instead of building it.
set -euo pipefail
SUITE=$(cd "${1:?usage: bench/cache-conformance.sh CHECKOUT}" && pwd)
cd "$(dirname "$0")/.."
command -v node >/dev/null || { echo "needs node" >&2; exit 1; }
source bench/lib/meshd-build.sh
RESULTS=${RESULTS:-/tmp/cache-conformance-meshd.json}
D=$(mktemp -d)
trap 'kill $(cat $D/pids 2>/dev/null) 2>/dev/null; rm -rf $D' EXIT
(cd "$SUITE" && exec node test-engine/server/server.mjs) > $D/origin.log 2>&1 & echo $! >> $D/pids
cat > $D/gateway.yaml <<YAML
upstreams:
  - { id: origin, targets: [ { url: "http://127.0.0.1:8000" } ] }
routes:
  - { id: all, upstream: origin, cache: {} }
YAML
"$BIN/meshd" --name conformance --bind 127.0.0.1:28078 --admin 127.0.0.1:28079 --http 127.0.0.1:28080 --insecure \
  --config $D/gateway.yaml --data-dir $D/data --access-log-sample 0 --log-level warning > $D/meshd.log 2>&1 &
echo $! >> $D/pids
for _ in $(seq 100); do curl -s -o /dev/null http://127.0.0.1:28080/ && curl -s -o /dev/null http://127.0.0.1:8000/ && break; sleep 0.1; done
(cd "$SUITE" && npm_config_base=http://127.0.0.1:28080 npm_config_id= node --no-warnings test-engine/cli.mjs) > "$RESULTS"
node --input-type=module - "$SUITE" "$RESULTS" "$SUITE"/results/*.json < bench/cache/conformance-count.mjs
