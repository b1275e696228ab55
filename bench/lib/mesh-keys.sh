# Sourced by the benchmarks that run a mesh (after meshd-build.sh, which sets BIN):
# mesh_keys DIR [--signing] writes DIR/cluster.key, an admin token DIR/admin.token (mode 0600)
# and, with --signing, the manager's key pair DIR/manager.key and DIR/manager.pub.
mesh_keys() {
  "$BIN/meshctl" keygen --out "$1/cluster" >/dev/null
  [ "${2:-}" = --signing ] && "$BIN/meshctl" keygen --signing --out "$1/manager" >/dev/null
  head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$1/admin.token"
  chmod 600 "$1/admin.token"
}
