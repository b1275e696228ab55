# Sourced by the benchmarks that start processes: stop_pids FILE ends every process whose pid
# FILE lists, gently first (an nginx master then takes its workers down with it), then for good.
stop_pids() {
  local pids
  pids=$(cat "$1" 2>/dev/null) || return 0
  kill $pids 2>/dev/null
  for _ in $(seq 20); do kill -0 $pids 2>/dev/null || return 0; sleep 0.1; done
  kill -9 $pids 2>/dev/null
  return 0
}
