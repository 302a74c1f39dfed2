#!/usr/bin/env bash
# Side by side: our ImagePusher against `skopeo copy oci:… docker://` pushing the same image to
# Debian's docker-registry on 127.0.0.1. Every run gets a fresh registry (new port and storage), so
# neither tool finds a blob there or can mount one from an earlier push (skopeo remembers blob
# locations per registry in its blob-info cache). The order of the tools alternates between runs.
# Reports medians of: skopeo's wall time; `ctrs images push` wall time (the image imported into its
# store beforehand, not timed); our push inside a process (cold: the process's first push); a warm
# median (later pushes in one process, each to a new repository); MB/s and ratios skopeo / ours
# (> 1 means we are faster).
# Usage: benchmarks/scripts/push-vs-skopeo.sh [runs] [layers] [MiB per layer]
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-7}
layers=${2:-3}
mib=${3:-32}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

dotnet build benchmarks/Containers.Benchmarks -c Release -nologo -clp:ErrorsOnly >/dev/null
dotnet build samples/Ctrs -c Release -nologo -clp:ErrorsOnly >/dev/null
bench=benchmarks/Containers.Benchmarks/bin/Release/net10.0/Containers.Benchmarks.dll
ctrs=samples/Ctrs/bin/Release/net10.0/ctrs.dll

work="$(mktemp -d /tmp/push-vs-skopeo.XXXXXX)"
registry=""
stop_registry() { [ -z "$registry" ] || { kill "$registry" 2>/dev/null; wait "$registry" 2>/dev/null; } || true; registry=""; }
trap 'stop_registry; rm -rf "$work"' EXIT
. scripts/local-registry.sh
. benchmarks/scripts/bench-image.sh

build_bench_image "$work" "$layers" "$mib"
tar -C "$layout" -cf "$work/layout.tar" .
dotnet "$ctrs" --root "$work/ctrs" images import --format oci "$work/layout.tar" >/dev/null

theirs=(); ours=(); inproc=()
push_skopeo() {
  local t0 t1; t0=$(now)
  skopeo copy --quiet --dest-tls-verify=false "oci:$layout:v1" "docker://127.0.0.1:$port/bench/skopeo:v1"
  t1=$(now); theirs+=($(( (t1 - t0) / 1000000 )))
}
push_ours() {
  local t0 t1 out; t0=$(now)
  dotnet "$ctrs" --root "$work/ctrs" images push "127.0.0.1:$port/bench/ctrs:v1" v1 >/dev/null
  t1=$(now); ours+=($(( (t1 - t0) / 1000000 )))
  out=$(dotnet "$bench" push "$layout" "127.0.0.1:$port/bench/inproc" "$work/inproc")
  rm -rf "$work/inproc"
  [ "$(echo "$out" | cut -d' ' -f3)" = "$((layers + 2))" ] || { echo "in-process push did not upload every blob: $out" >&2; exit 1; }
  inproc+=("${out%% *}")
}
for i in $(seq "$runs"); do
  mkdir -p "$work/registry-$i"
  start_local_registry "$work/registry-$i"
  if [ $((i % 2)) -eq 1 ]; then push_skopeo; push_ours; else push_ours; push_skopeo; fi
  stop_registry; rm -rf "$work/registry-$i"
done

mkdir -p "$work/registry-warm"
start_local_registry "$work/registry-warm"
warm=($(dotnet "$bench" push "$layout" "127.0.0.1:$port/bench/warm" "$work/warm" $((runs + 1)) | tail -n +2 | cut -d' ' -f1))
ms=$(median "${theirs[@]}"); mo=$(median "${ours[@]}"); mi=$(median "${inproc[@]}"); mw=$(median "${warm[@]}")
echo "image: $((layers + 1)) layers, $(awk -v b="$bytes" 'BEGIN {printf "%.1f", b/1048576}') MiB compressed; $runs runs each (alternating, fresh registry per run)"
echo "skopeo copy oci: -> docker://:  runs ${theirs[*]} ms; median $ms ms ($(mbps "$ms") MB/s)"
echo "ctrs images push (wall time):   runs ${ours[*]} ms; median $mo ms ($(mbps "$mo") MB/s)"
echo "ours (push inside the process): runs ${inproc[*]} ms; median $mi ms ($(mbps "$mi") MB/s)"
echo "ours (warm, same process):      runs ${warm[*]} ms; median $mw ms ($(mbps "$mw") MB/s)"
echo "ratio skopeo/ours: wall $(awk -v a="$ms" -v b="$mo" 'BEGIN {printf "%.2f", a/b}'), in-process cold $(awk -v a="$ms" -v b="$mi" 'BEGIN {printf "%.2f", a/b}'), warm $(awk -v a="$ms" -v b="$mw" 'BEGIN {printf "%.2f", a/b}')"
