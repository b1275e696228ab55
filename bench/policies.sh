#!/usr/bin/env bash
# What each per-route policy costs in the gateway (production build, ONE event-loop
# thread): wrk against routes that differ only in their policies, all in front of
# the same nginx upstream (`return 200`). Every request is valid, so every policy
# does its full work (hash and compare a key, verify a signature, take a token).
#
#   bench/policies.sh [--seconds S] [--conns C]
#
# Prints one line per route: name, req/s, p50 ms, p99 ms, non-2xx responses, and
# the req/s relative to the route without policies.
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=5; CONNS=64
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) SECS="$2"; shift 2;;
    --conns) CONNS="$2"; shift 2;;
    *) echo "unknown argument $1" >&2; exit 2;;
  esac
done
for t in nginx wrk openssl python3; do command -v $t >/dev/null || { echo "missing $t" >&2; exit 2; }; done
PORT=${GATEWAY_PORT:-18090}
. bench/lib/gateway-serve.sh

openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out $W/rs.key 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out $W/es.key 2>/dev/null
openssl genpkey -algorithm ED25519 -out $W/ed.key 2>/dev/null
for k in rs es ed; do openssl pkey -in $W/$k.key -pubout -out $W/$k.pub; done
SECRET="bench-shared-secret-of-more-than-32-bytes"
API_KEY="bench-api-key-0123456789"
API_HASH=$(printf %s "$API_KEY" | sha256sum | cut -d' ' -f1)
pem() { sed 's/^/              /' "$1"; }

cat > $W/gateway.yaml <<CONF
upstreams:
  - id: backend
    targets:
      - url: http://127.0.0.1:18080
routes:
  - { id: none, match: { path_prefix: /none }, upstream: backend }
  - id: api_key
    match: { path_prefix: /api_key }
    upstream: backend
    policies:
      - type: api_key
        keys: [{ consumer: bench, sha256: $API_HASH }]
  - id: jwt_hs256
    match: { path_prefix: /jwt_hs256 }
    upstream: backend
    policies:
      - type: jwt
        keys: [{ kid: hs, alg: HS256, secret: "$SECRET" }]
  - id: jwt_rs256
    match: { path_prefix: /jwt_rs256 }
    upstream: backend
    policies:
      - type: jwt
        keys:
          - kid: rs
            alg: RS256
            pem: |
$(pem $W/rs.pub)
  - id: jwt_es256
    match: { path_prefix: /jwt_es256 }
    upstream: backend
    policies:
      - type: jwt
        keys:
          - kid: es
            alg: ES256
            pem: |
$(pem $W/es.pub)
  - id: jwt_eddsa
    match: { path_prefix: /jwt_eddsa }
    upstream: backend
    policies:
      - type: jwt
        keys:
          - kid: ed
            alg: EdDSA
            pem: |
$(pem $W/ed.pub)
  - id: rate_limit
    match: { path_prefix: /rate_limit }
    upstream: backend
    policies:
      - { type: rate_limit, requests: 1000000000, per: 1s }
  - id: cors
    match: { path_prefix: /cors }
    upstream: backend
    policies:
      - { type: cors, allow_origins: [https://app.example.com] }
  - id: headers
    match: { path_prefix: /headers }
    upstream: backend
    policies:
      - type: headers
        request: { set: { X-Env: bench }, remove: [X-Debug] }
        response: { remove: [Server], add: { X-Frame-Options: DENY } }
  - id: chain
    match: { path_prefix: /chain }
    upstream: backend
    policies:
      - { type: cors, allow_origins: [https://app.example.com] }
      - type: api_key
        keys: [{ consumer: bench, sha256: $API_HASH }]
      - { type: rate_limit, requests: 1000000000, per: 1s }
      - { type: request_size_limit, max_bytes: 1MiB }
      - type: headers
        response: { remove: [Server] }
CONF

start_upstream 18080
"$BIN" --config $W/gateway.yaml --http 127.0.0.1:$PORT --threads 1 > $W/gateway.log 2>&1 & PIDS+=($!)
for _ in $(seq 50); do grep -q listening $W/gateway.log && break; sleep 0.2; done
grep -q listening $W/gateway.log || { cat $W/gateway.log >&2; exit 1; }

BASE=""
run() { # name header...
  local name=$1; shift
  local args=()
  for h in "$@"; do args+=(-H "$h"); done
  local out; out=$(wrk -t1 -c$CONNS -d${SECS}s --latency "${args[@]}" http://127.0.0.1:$PORT/$name/ 2>&1)
  local rps p50 p99 bad
  rps=$(awk '/Requests\/sec/{print $2}' <<<"$out")
  p50=$(awk '$1=="50%"{print $2}' <<<"$out")
  p99=$(awk '$1=="99%"{print $2}' <<<"$out")
  bad=$(awk '/Non-2xx/{print $NF}' <<<"$out"); bad=${bad:-0}
  [ -z "$BASE" ] && BASE=$rps
  printf "%-11s req_s=%-10s p50=%-9s p99=%-9s non2xx=%-6s vs_none=%s\n" "$name" "$rps" "$p50" "$p99" "$bad" \
    "$(awk -v a="$rps" -v b="$BASE" 'BEGIN{printf "%.2f", a/b}')"
}
run none
run api_key "X-API-Key: $API_KEY"
run jwt_hs256 "Authorization: Bearer $(bench/jwt-token.py HS256 "$SECRET" hs)"
run jwt_rs256 "Authorization: Bearer $(bench/jwt-token.py RS256 $W/rs.key rs)"
run jwt_es256 "Authorization: Bearer $(bench/jwt-token.py ES256 $W/es.key es)"
run jwt_eddsa "Authorization: Bearer $(bench/jwt-token.py EdDSA $W/ed.key ed)"
run rate_limit
run cors "Origin: https://app.example.com"
run headers "X-Debug: 1"
run chain "X-API-Key: $API_KEY" "Origin: https://app.example.com"
