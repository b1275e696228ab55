# Sourced by the cache benchmarks: starts meshd workers that form one mesh on loopback, and
# asks them about cache keys. Needs BIN (bench/lib/meshd-build.sh), D (a work folder) and BASE.
"$BIN/meshctl" keygen --out $D/cluster >/dev/null
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > $D/admin.token; chmod 600 $D/admin.token
gossip_port() { echo $((BASE + 3 * $1)); }
admin_port() { echo $((BASE + 3 * $1 + 1)); }
http_port() { echo $((BASE + 3 * $1 + 2)); }
start_worker() { # i extra-flags
  local i=$1
  setpriv --pdeathsig KILL -- "$BIN/meshd" --name n$i --bind 127.0.0.1:$(gossip_port $i) --seeds 127.0.0.1:$(gossip_port 1) \
    --tags env=prod --http 127.0.0.1:$(http_port $i) --profile lan --cluster-key-file $D/cluster.key \
    --admin 127.0.0.1:$(admin_port $i) --admin-token-file $D/admin.token --data-dir $D/n$i --log-level error $2 \
    >$D/log.$i 2>&1 &
  echo $! > $D/pid.$i; echo $! >> $D/pids; disown
}
start_workers() { # W extra-flags
  for i in $(seq 1 $1); do start_worker $i "$2"; done
  local urls; urls=$(for i in $(seq 1 $1); do printf "http://127.0.0.1:%s," $(admin_port $i); done | sed 's/,$//')
  "$BIN/meshctl" dev wait --token-file $D/admin.token --nodes "$urls" --alive $1 --within 60 >/dev/null || {
    echo "the mesh did not form" >&2; exit 1; }
}
owners_of() { # i path: the owners node i names for the path
  "$BIN/meshctl" --node http://127.0.0.1:$(admin_port $1) --token-file $D/admin.token cache key --json \
    "http://127.0.0.1:$(http_port $1)$2" | python3 -c 'import json,sys; print(",".join(json.load(sys.stdin)["owners"]))'
}
non_owned_url() { # i: a path whose owners do not include node i
  for k in $(seq 0 200); do
    case ",$(owners_of $1 /k$k)," in *",n$1,"*) ;; *) echo /k$k; return 0;; esac
  done
  return 1
}
