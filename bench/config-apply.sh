#!/usr/bin/env bash
# Config through the manager on loopback: a manager and W workers (the production build,
# lan profile), a manifest of R routes applied A times with one route changed each time.
# For every apply it reports, from the workers' own clock readings (one machine, one clock):
#   propagation_ms   from the manager signing the version (bundle createdAtMillis) to the
#                    last worker applying it (its appliedAtMillis)
#   first_worker_ms  the same to the first worker
#   meshctl_apply_ms `meshctl apply --no-wait` from start to exit: checking the manifest,
#                    sending it, and the manager checking, encoding, signing and storing it
# and the p50/p99/max over the applies, then the bytes the workers fetched as full bundles
# and as deltas (meshgate_config_fetched_bytes_total) against the size of one full bundle.
#   bench/config-apply.sh [W=16] [R=100] [A=20]
# MESHGATE_BIN=DIR uses meshd and meshctl from DIR instead of building them; BASE_PORT moves the ports.
set -uo pipefail
W=${1:-16}; R=${2:-100}; A=${3:-20}
cd "$(dirname "$0")/.."
command -v python3 >/dev/null || { echo "needs python3" >&2; exit 1; }
scripts/install-deps.sh
source bench/lib/meshd-build.sh
D=$(mktemp -d)
source bench/lib/stop.sh
trap 'exec 2>/dev/null; stop_pids $D/pids; rm -rf $D' EXIT
source bench/lib/mesh-keys.sh
mesh_keys $D --signing
BASE=${BASE_PORT:-28000}
gossip() { echo 127.0.0.1:$((BASE + 3 * $1)); }
admin() { echo 127.0.0.1:$((BASE + 3 * $1 + 1)); }
start() { # i: 0 is the manager
  local i=$1 extra
  if [ $i -eq 0 ]; then extra="--role manager --signing-key $D/manager.key"
  else extra="--seeds $(gossip 0) --trust-key $D/manager.pub --tags env=prod --http 127.0.0.1:$((BASE + 3 * i + 2))"; fi
  setpriv --pdeathsig KILL -- "$BIN/meshd" --name n$i --bind $(gossip $i) $extra --profile lan \
    --cluster-key-file $D/cluster.key --admin $(admin $i) --admin-token-file $D/admin.token \
    --data-dir $D/n$i --log-level error --access-log-sample 0 >$D/log.$i 2>&1 &
  echo $! >> $D/pids; disown
}
for i in $(seq 0 $W); do start $i; done
urls=$(for i in $(seq 0 $W); do printf "http://%s," $(admin $i); done | sed 's/,$//')
"$BIN/meshctl" dev wait --token-file $D/admin.token --nodes "$urls" --alive $((W + 1)) --within 60 >/dev/null || {
  echo "the mesh did not form" >&2; exit 1; }

MESHCTL="$BIN/meshctl" D=$D W=$W R=$R A=$A BASE=$BASE python3 - <<'PY'
import json, os, subprocess, time, urllib.request
D, W, R, A, BASE = os.environ["D"], int(os.environ["W"]), int(os.environ["R"]), int(os.environ["A"]), int(os.environ["BASE"])
token = open(f"{D}/admin.token").read().strip()
def get(i, path):
    req = urllib.request.Request(f"http://127.0.0.1:{BASE + 3 * i + 1}{path}", headers={"Authorization": f"Bearer {token}"})
    return urllib.request.urlopen(req, timeout=60).read().decode()
def manifest(ttl):
    lines = ["environment: prod", "upstreams:", "  - { id: u, targets: [ { url: \"http://127.0.0.1:9\" } ] }", "routes:"]
    for r in range(R):
        t = ttl if r == 0 else 30
        lines.append(f"  - {{ id: r{r}, match: {{ path_prefix: /r{r} }}, upstream: u, cache: {{ ttl: {t}s }} }}")
    with open(f"{D}/m.yaml", "w") as f: f.write("\n".join(lines) + "\n")
def fetched(kind):
    total = 0
    for i in range(1, W + 1):
        for line in get(i, "/metrics").splitlines():
            if line.startswith(f'meshgate_config_fetched_bytes_total{{kind="{kind}"}} '):
                total += float(line.split()[-1])
    return total
def apply(n):
    manifest(31 + n)
    started = time.time()
    out = subprocess.run([os.environ["MESHCTL"], "--node", f"http://127.0.0.1:{BASE + 1}", "--token-file", f"{D}/admin.token",
                          "apply", "--no-wait", "-f", f"{D}/m.yaml"], capture_output=True, text=True, check=True).stdout
    accepted.append(round((time.time() - started) * 1000))
    version = int(out.split("version ")[1].split()[0])
    deadline = time.time() + 120
    while True:
        states = [json.loads(get(i, "/v1/config")) for i in range(1, W + 1)]
        if all(s.get("version") == version for s in states): break
        if time.time() > deadline: raise SystemExit(f"version {version} did not reach every worker")
        time.sleep(0.05)
    created = states[0]["createdAtMillis"]
    firsts.append(min(s["appliedAtMillis"] for s in states) - created)
    return max(s["appliedAtMillis"] for s in states) - created
firsts, accepted = [], []
apply(-1)                                     # the first version: every worker fetches the full bundle
full_first = fetched("full")
samples, firsts, accepted = [], [], []
for n in range(A):
    samples.append(apply(n))
    time.sleep(0.2)
samples.sort()
pick = lambda q: samples[min(len(samples) - 1, int(q * len(samples)))]
bundle = len(json.loads(get(0, "/v1/config/bundle/prod"))["bundle"]) * 3 // 4
delta_bytes, full_bytes = fetched("delta"), fetched("full") - full_first
print(f"workers={W} routes={R} applies={A} bundle_bytes={bundle}")
print(f"propagation_ms p50={pick(0.5)} p99={pick(0.99)} max={samples[-1]} all={samples}")
print(f"first_worker_ms p50={sorted(firsts)[len(firsts) // 2]} all={sorted(firsts)}")
print(f"meshctl_apply_ms p50={sorted(accepted)[len(accepted) // 2]} all={sorted(accepted)}")
print(f"per_worker_per_apply_bytes delta={delta_bytes / W / A:.0f} full={full_bytes / W / A:.0f} "
      f"delta_share_of_bundle={delta_bytes / W / A / bundle:.4f}")
PY
