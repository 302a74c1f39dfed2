# Sourced by pull-vs-skopeo.sh. `start_private_containerd DIR [STATE]` runs Debian's containerd with every
# path it writes under DIR (root, state, socket, opt) and the CRI plugin off, so it touches nothing
# of the host's; sets $ctrd (its pid) and $ctrd_sock. `stop_private_containerd` stops it and waits.
start_private_containerd() { # DIR [STATE_DIR]
  local dir=$1 state=${2:-$1/state}
  mkdir -p "$dir"
  cat > "$dir/config.toml" <<TOML
version = 2
root = "$dir/root"
state = "$state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$dir/containerd.sock"
[ttrpc]
  address = "$dir/containerd.ttrpc.sock"
[plugins."io.containerd.internal.v1.opt"]
  path = "$dir/opt"
TOML
  ctrd_sock="$dir/containerd.sock"
  /usr/bin/containerd --config "$dir/config.toml" >"$dir/containerd.log" 2>&1 &
  ctrd=$!
  for _ in $(seq 100); do
    if /usr/bin/ctr --address "$ctrd_sock" version >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  echo "containerd did not start (see $dir/containerd.log)" >&2
  return 1
}

stop_private_containerd() {
  [ -z "${ctrd:-}" ] && return 0
  kill "$ctrd" 2>/dev/null || true
  wait "$ctrd" 2>/dev/null || true
  ctrd=""
}
