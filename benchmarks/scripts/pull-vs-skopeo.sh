#!/usr/bin/env bash
# Side by side: our ImagePuller (into a content store + image store) against
# `skopeo copy docker://… oci:` on the same local docker-registry and the same image.
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
. benchmarks/scripts/bench-common.sh

work="$(mktemp -d /tmp/pull-vs-skopeo.XXXXXX)"
registry=""
trap '[ -z "$registry" ] || { kill $registry 2>/dev/null; wait $registry 2>/dev/null; } || true; rm -rf "$work"' EXIT
. scripts/local-registry.sh
start_local_registry "$work"

# The image: busybox plus $layers layers of $mib MiB of random data each, as an OCI layout.
layout="$work/layout"
mkdir -p "$layout/blobs/sha256"
blob() { local d; d=$(sha256sum "$1" | cut -d' ' -f1); mv "$1" "$layout/blobs/sha256/$d"; echo "$d"; }
layer_json=""; diff_ids=""
for i in $(seq 0 "$layers"); do
  dir="$work/layer$i"; mkdir -p "$dir"
  if [ "$i" -eq 0 ]; then mkdir -p "$dir/bin"; cp /bin/busybox "$dir/bin/busybox"
  else head -c $((mib * 1024 * 1024)) /dev/urandom > "$dir/data$i.bin"; fi
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$dir" -cf "$work/l.tar" .
  diff_ids="$diff_ids${diff_ids:+,}\"sha256:$(sha256sum "$work/l.tar" | cut -d' ' -f1)\""
  gzip -1 -n "$work/l.tar"
  size=$(stat -c%s "$work/l.tar.gz"); d=$(blob "$work/l.tar.gz")
  layer_json="$layer_json${layer_json:+,}{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:$d\",\"size\":$size}"
done
write_oci_layout
skopeo copy --quiet --dest-tls-verify=false "oci:$layout:v1" "docker://127.0.0.1:$port/bench/image:v1"
bytes=$(du -cb "$layout"/blobs/sha256/* | tail -1 | cut -f1)

ours=(); inproc=(); theirs=()
for i in $(seq "$runs"); do
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
