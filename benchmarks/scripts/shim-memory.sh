#!/usr/bin/env bash
# Shim memory per container: `runcs shim` (a shim per container, and one shared shim for N) against
# containerd 1.6's containerd-shim-runc-v2 (a shim per container, and one shim for a group through
# its io.containerd.runc.v2.group label), N sleeping busybox containers each. RSS, PSS and USS
# (Private_Clean + Private_Dirty) in kB from /proc/<pid>/smaps_rollup; medians over the per-container
# shims, totals and totals / N for the shared ones.
#
# Usage: sudo benchmarks/scripts/shim-memory.sh [N]     (default 10)
#   RUNCS=/path/to/runcs   use an already published runcs
# containerd runs privately (every path under a temporary directory, CRI off; private-containerd.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
N="${1:-10}"
[[ "$N" =~ ^[1-9][0-9]*$ ]] || { echo "N must be a positive integer, got '$N'" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "run as root: shims start containers" >&2; exit 2; }
for tool in /usr/bin/containerd /usr/bin/ctr /usr/bin/containerd-shim-runc-v2 runc /bin/busybox; do
  command -v "$tool" >/dev/null || { echo "$tool is missing (Debian packages: containerd runc busybox-static)" >&2; exit 2; }
done
. benchmarks/scripts/bench-common.sh
. benchmarks/scripts/private-containerd.sh

work="$(mktemp -d /tmp/shim-memory.XXXXXX)"
tag="shimmem-$$-$RANDOM"
ids=()
new_parents="$(for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do [ -f "$h/cgroup.procs" ] && [ ! -d "$h/default" ] && echo "$h/default"; done || true)"
cleanup() {
  for id in "${ids[@]}"; do
    /usr/bin/ctr --address "$ctrd_sock" task kill -s SIGKILL "$id" >/dev/null 2>&1 || true
    /usr/bin/ctr --address "$ctrd_sock" task delete -f "$id" >/dev/null 2>&1 || true
    /usr/bin/ctr --address "$ctrd_sock" container delete "$id" >/dev/null 2>&1 || true
  done
  stop_private_containerd
  chown root:root /dev/null; chmod 0666 /dev/null # runc 1.1.5 sometimes chowns it
  for d in $new_parents; do rmdir "$d" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# kB of one process: rss pss uss threads
sample() {
  awk '/^Rss:/ {r=$2} /^Pss:/ {p=$2} /^Private_Clean:/ {u+=$2} /^Private_Dirty:/ {u+=$2} END {printf "%d %d %d", r, p, u}' "/proc/$1/smaps_rollup"
  awk '/^Threads:/ {printf " %d\n", $2}' "/proc/$1/status"
}
shims_of() { pgrep -f -- "containerd-shim-runc-v2 .*-address $ctrd_sock" || true; }

echo "# runcs shim (N=$N)"
dotnet "$bench" shim-memory "$N"

rootfs="$work/rootfs"
mkdir -p "$rootfs"/{bin,sbin,usr/bin,usr/sbin,dev,etc,proc,sys,tmp,root,run}
cp /bin/busybox "$rootfs/bin/busybox"
for applet in $(/bin/busybox --list-full); do [ -e "$rootfs/$applet" ] || ln -s /bin/busybox "$rootfs/$applet"; done
start_private_containerd "$work/ctrd"

for i in $(seq "$N"); do
  ids+=("$tag-own-$i")
  /usr/bin/ctr --address "$ctrd_sock" run -d --rootfs "$rootfs" "$tag-own-$i" /bin/sleep 1000 >/dev/null
done
own=$(shims_of)
rss=(); pss=(); uss=(); thr=()
for pid in $own; do read -r r p u t < <(sample "$pid"); rss+=("$r"); pss+=("$p"); uss+=("$u"); thr+=("$t"); done
echo "containerd-shim-runc-v2 own     containers=$N shims=$(echo "$own" | wc -w) per-container-kB rss=$(median "${rss[@]}") pss=$(median "${pss[@]}") uss=$(median "${uss[@]}") threads=$(median "${thr[@]}")"

for i in $(seq "$N"); do
  ids+=("$tag-grp-$i")
  /usr/bin/ctr --address "$ctrd_sock" run -d --label io.containerd.runc.v2.group="$tag" --rootfs "$rootfs" "$tag-grp-$i" /bin/sleep 1000 >/dev/null
done
grouped=$(comm -13 <(echo "$own" | sort) <(shims_of | sort))
[ "$(echo "$grouped" | wc -w)" -eq 1 ] || { echo "expected one shim for the group, found: $grouped" >&2; exit 1; }
read -r r p u t < <(sample "$grouped")
echo "containerd-shim-runc-v2 shared  containers=$N shims=1 total-kB rss=$r pss=$p uss=$u per-container-kB rss=$((r / N)) pss=$((p / N)) uss=$((u / N)) threads=$t"
