#!/usr/bin/env bash
# Side by side: our ImagePuller (into a content store + image store) against
# `skopeo copy docker://… oci:` on the same local docker-registry and the same image, and, when
# installed, `ctr content fetch` (Debian's containerd, private instance) and `podman pull`.
# Each run starts from an empty destination; runs alternate between the two tools.
# Reports the median wall time of each (whole process, as a user sees it), our in-process
# pull time (cold: the process's first pull), a warm median (later pulls in one process, each
# into a fresh store), MB/s, and the ratio skopeo / ours (> 1 means we are faster).
# Usage: benchmarks/scripts/pull-vs-skopeo.sh [runs] [layers] [MiB per layer]
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-7}
layers=${2:-3}
mib=${3:-32}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

dotnet build benchmarks/Containers.Benchmarks -c Release -nologo -clp:ErrorsOnly >/dev/null
bench=benchmarks/Containers.Benchmarks/bin/Release/net10.0/Containers.Benchmarks.dll

work="$(mktemp -d /tmp/pull-vs-skopeo.XXXXXX)"
registry=""
trap 'stop_private_containerd; [ -z "$registry" ] || { kill $registry 2>/dev/null; wait $registry 2>/dev/null; } || true; rm -rf "$work"' EXIT
. scripts/local-registry.sh
. benchmarks/scripts/bench-image.sh
. benchmarks/scripts/private-containerd.sh
start_local_registry "$work"

# The image: busybox plus $layers layers of $mib MiB of random data each, as an OCI layout.
build_bench_image "$work" "$layers" "$mib"
skopeo copy --quiet --dest-tls-verify=false "oci:$layout:v1" "docker://127.0.0.1:$port/bench/image:v1"

# Debian's containerd and podman, when installed: `ctr content fetch` (fetch only, into a private
# containerd started per run with all its paths under $work, not timed) and `podman pull` (which
# also unpacks every layer into containers/storage: vfs driver, private root, no mounts).
have_ctr=$([ -x /usr/bin/containerd ] && [ -x /usr/bin/ctr ] && echo 1 || echo 0)
have_podman=$([ -x /usr/bin/podman ] && echo 1 || echo 0)
# podman (netavark) makes /run/containers/networks whatever --runroot says; remove it on exit when
# this script made it (rmdir: only if still empty).
podman_made_run=$([ -e /run/containers ] && echo 0 || echo 1)
trap 'stop_private_containerd; [ -z "$registry" ] || { kill $registry 2>/dev/null; wait $registry 2>/dev/null; } || true; rm -rf "$work"; [ "$podman_made_run" = 1 ] && rmdir /run/containers/networks /run/containers 2>/dev/null; true' EXIT
ref="127.0.0.1:$port/bench/image:v1"
ours=(); inproc=(); theirs=(); ctrs=(); podmans=()
for i in $(seq "$runs"); do
  if [ "$have_ctr" = 1 ]; then
    start_private_containerd "$work/containerd-$i"
    t0=$(now)
    /usr/bin/ctr --address "$ctrd_sock" -n bench content fetch --plain-http "$ref" >/dev/null
    t1=$(now); ctrs+=($(( (t1 - t0) / 1000000 )))
    stop_private_containerd; rm -rf "$work/containerd-$i"
  fi
  if [ "$have_podman" = 1 ]; then
    p="$work/podman-$i"
    t0=$(now)
    /usr/bin/podman --root "$p/storage" --runroot "$p/run" --tmpdir "$p/tmp" --storage-driver vfs --cgroup-manager cgroupfs --events-backend none \
      pull --quiet --tls-verify=false "docker://$ref" >/dev/null
    t1=$(now); podmans+=($(( (t1 - t0) / 1000000 ))); rm -rf "$p"
  fi
  t0=$(now)
  skopeo copy --quiet --src-tls-verify=false "docker://127.0.0.1:$port/bench/image:v1" "oci:$work/skopeo-$i:v1"
  t1=$(now); theirs+=($(( (t1 - t0) / 1000000 ))); rm -rf "$work/skopeo-$i"
  t0=$(now)
  out=$(dotnet "$bench" pull "127.0.0.1:$port/bench/image:v1" "$work/ours-$i")
  t1=$(now); ours+=($(( (t1 - t0) / 1000000 ))); inproc+=("${out%% *}"); rm -rf "$work/ours-$i"
done

warm=($(dotnet "$bench" pull "127.0.0.1:$port/bench/image:v1" "$work/warm" $((runs + 1)) | tail -n +2 | cut -d' ' -f1))
mo=$(median "${ours[@]}"); mi=$(median "${inproc[@]}"); ms=$(median "${theirs[@]}"); mw=$(median "${warm[@]}")
mb=$(awk -v b="$bytes" 'BEGIN {printf "%.1f", b/1048576}')
echo "image: $((layers + 1)) layers, $mb MiB compressed; $runs runs each (alternating)"
echo "skopeo copy docker:// -> oci:   runs ${theirs[*]} ms; median $ms ms ($(awk -v b="$bytes" -v t="$ms" 'BEGIN {printf "%.0f", b/1048576/(t/1000)}') MB/s)"
echo "ours (process wall time):       runs ${ours[*]} ms; median $mo ms ($(awk -v b="$bytes" -v t="$mo" 'BEGIN {printf "%.0f", b/1048576/(t/1000)}') MB/s)"
echo "ours (pull inside the process): median $mi ms ($(awk -v b="$bytes" -v t="$mi" 'BEGIN {printf "%.0f", b/1048576/(t/1000)}') MB/s)"
echo "ours (warm, same process):      runs ${warm[*]} ms; median $mw ms ($(awk -v b="$bytes" -v t="$mw" 'BEGIN {printf "%.0f", b/1048576/(t/1000)}') MB/s)"
echo "ratio skopeo/ours: wall $(awk -v a="$ms" -v b="$mo" 'BEGIN {printf "%.2f", a/b}'), in-process cold $(awk -v a="$ms" -v b="$mi" 'BEGIN {printf "%.2f", a/b}'), warm $(awk -v a="$ms" -v b="$mw" 'BEGIN {printf "%.2f", a/b}')"
if [ "$have_ctr" = 1 ]; then
  mc=$(median "${ctrs[@]}")
  echo "ctr content fetch (containerd): runs ${ctrs[*]} ms; median $mc ms ($(mbps "$mc") MB/s); ratio ctr/ours: wall $(awk -v a="$mc" -v b="$mo" 'BEGIN {printf "%.2f", a/b}'), warm $(awk -v a="$mc" -v b="$mw" 'BEGIN {printf "%.2f", a/b}')"
else
  echo "ctr: not installed (apt-get install containerd)"
fi
if [ "$have_podman" = 1 ]; then
  mp=$(median "${podmans[@]}")
  echo "podman pull (fetch + unpack):   runs ${podmans[*]} ms; median $mp ms ($(mbps "$mp") MB/s); ratio podman/ours: wall $(awk -v a="$mp" -v b="$mo" 'BEGIN {printf "%.2f", a/b}') (podman also unpacks)"
else
  echo "podman: not installed (apt-get install podman)"
fi
