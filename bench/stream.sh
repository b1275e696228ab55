#!/usr/bin/env bash
# A large download through the gateway (production build, one event-loop thread): nginx
# serves a sparse file of SIZE, curl fetches it through the gateway into /dev/null. Prints
# the time and the gateway's peak RSS, which should stay at its idle figure: bodies pass
# through as the slices they were read in, with backpressure both ways.
#
#   bench/stream.sh [SIZE=1G]       (GATEWAY_BIN measures another binary)
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE=${1:-1G}
for t in nginx curl; do command -v $t >/dev/null || { echo "missing $t" >&2; exit 2; }; done
. bench/lib/gateway-serve.sh
mkdir -p "$W/www"; truncate -s "$SIZE" "$W/www/big.bin"
# nginx's worker runs as an unprivileged user: let it read the file.
chmod 755 "$W" "$W/www"; chmod 644 "$W/www/big.bin"
cat > "$W/files.conf" <<CONF
worker_processes 1; daemon off; pid $W/files.pid; error_log $W/logs/files.err;
events { worker_connections 1024; }
http { access_log off; server { listen 127.0.0.1:18480; root $W/www; } }
CONF
nginx -c "$W/files.conf" -p "$W" & PIDS+=($!)
single_route_config 18480
"$BIN" --config $W/gateway.yaml --http 127.0.0.1:18490 --threads 1 > $W/logs/gateway.log 2>&1 & GW=$!; PIDS+=($GW)
for _ in $(seq 1 50); do curl -s -o /dev/null http://127.0.0.1:18490/ && break; sleep 0.2; done
idle=$(awk '/VmRSS/{printf "%.1f", $2/1024}' /proc/$GW/status)
curl -s -o /dev/null -w "status=%{http_code} bytes=%{size_download} seconds=%{time_total}\n" http://127.0.0.1:18490/big.bin
echo "gateway rss_idle_mib=$idle rss_peak_mib=$(awk '/VmHWM/{printf "%.1f", $2/1024}' /proc/$GW/status)"
