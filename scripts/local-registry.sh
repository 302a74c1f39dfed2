# Sourced by scripts that need Debian's docker-registry on 127.0.0.1 (run-main-job.sh,
# benchmarks/scripts/pull-vs-skopeo.sh). `start_local_registry DIR` picks a free loopback port,
# starts the registry with its storage and log under DIR, waits until it answers, and sets
# $port and $registry (its pid). The caller stops it (kill "$registry") in its EXIT trap.
start_local_registry() {
  local work=$1 candidate
  port=""
  # A free loopback port: try random ones until nothing answers there.
  for _ in $(seq 50); do
    candidate=$(shuf -i 20000-60000 -n 1)
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then port=$candidate; break; fi
  done
  [ -n "$port" ] || { echo "no free port found" >&2; return 1; }
  cat > "$work/registry.yml" <<YAML
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $work/registry
http:
  addr: 127.0.0.1:$port
YAML
  /usr/bin/docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
  registry=$!
  for _ in $(seq 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "docker-registry did not start on port $port" >&2
  return 1
}
