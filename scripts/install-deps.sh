#!/usr/bin/env bash
# Installs everything the build, the tests and the main job need on a fresh Debian 12 machine
# that has only the .NET SDK. Idempotent; skips apt when every package is present already.
set -euo pipefail

packages=(
  # NativeAOT toolchain for runcs (the spawner, DESIGN.md §2).
  clang zlib1g-dev
  # The seccomp tests build a static C harness at test time.
  gcc libc6-dev
  # Test images are built from busybox-static at test time.
  busybox-static
  # Oracles the tests compare against.
  runc crun umoci skopeo
  # The local registry the image tests pull from and push to.
  docker-registry
  # Tools the tests drive: mount/umount of tmpfs, util-linux unshare, iproute2.
  util-linux iproute2 tar gzip zstd
  # python3 sends sd_notify's datagram from a container in the NOTIFY_SOCKET test (busybox cannot).
  python3
  # ps(1) behind `runcs ps` (as runc's); setcap for the security.capability layer tests.
  procps libcap2-bin
  # htpasswd (bcrypt) for the registry Basic-auth tests.
  apache2-utils
  # Real clients driving runcs (and runc, the anchor): podman with conmon, containerd with ctr and its
  # containerd-shim-runc-v2 (tests/Containers.Linux.Tests/Clients; no network, so no CNI plugins needed).
  podman conmon containerd
  # chattr +i for the garbage collector's removal-failure test, lsattr for the +T tests; libseccomp2 is loaded directly by the
  # seccomp differential tests (crun pulls it in too, but the tests should not rely on that).
  e2fsprogs libseccomp2
  # strace counts the fsyncs of each snapshot operation (CommitSyncTests: a layer's commit syncs, a
  # container's prepare and remove do not).
  strace
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: need root to install: ${missing[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
  # Debian starts the registry as a service on install; the tests start their own instance.
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet docker-registry 2>/dev/null; then
    systemctl stop docker-registry || true
  fi
fi
