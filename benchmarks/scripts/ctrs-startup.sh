#!/usr/bin/env bash
# How much of a ctrs command is the .NET runtime starting and compiling: the same ctrs, built four ways,
# over one root, state and namespace, with a busybox image pulled from a local registry:
#   jit        dotnet ctrs.dll from `dotnet build` (tiered JIT; the framework itself is ReadyToRun)
#   jit-nopgo  the same with DOTNET_TieredPGO=0 (no tier-0 instrumentation)
#   r2r        dotnet ctrs.dll from `dotnet publish -p:PublishAot=false -p:PublishReadyToRun=true` (our
#              assemblies and packages precompiled too; tiered JIT still rejits hot code)
#   r2r-nopgo  the same with DOTNET_TieredPGO=0
#   aot        the NativeAOT ctrs that `dotnet publish -r linux-x64` makes (what README tells users to run)
# Rounds run every command with every build in turn: `images ls` and `tasks ls` (start-up plus a store
# read), then `run --rm IMAGE ID /bin/busybox true`. Prints each build's runs, medians, the load average
# per round and the ratios jit/aot, r2r/aot.
# Usage (root): benchmarks/scripts/ctrs-startup.sh [rounds, default 10]    RUNCS=/path/runcs, CTRS=/path/ctrs
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-10}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

. benchmarks/scripts/bench-tools.sh
install_missing docker-registry:docker-registry skopeo:skopeo busybox:busybox-static

published_runcs
published_ctrs
dotnet build samples/Ctrs -c Release -nologo -clp:ErrorsOnly >/dev/null
echo "publishing ctrs (ReadyToRun)..." >&2
dotnet publish samples/Ctrs -c Release -r linux-x64 --self-contained false -p:PublishAot=false -p:PublishReadyToRun=true \
  -o artifacts/ctrs-r2r -nologo -clp:ErrorsOnly >&2
jit_dll=samples/Ctrs/bin/Release/net10.0/ctrs.dll
r2r_dll=artifacts/ctrs-r2r/ctrs.dll

work="$(mktemp -d /tmp/ctrs-startup.XXXXXX)"
ns="ctrsstart-$$"
registry=""
new_parents="$(for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do [ -f "$h/cgroup.procs" ] && [ ! -d "$h/$ns" ] && echo "$h/$ns"; done || true)"
global=(--root "$work/root" --state "$work/state" --namespace "$ns" --runcs "$runcs")
builds=(jit jit-nopgo r2r r2r-nopgo aot)
ctrs_as() { # BUILD ARGS...
  local build=$1; shift
  case $build in
    jit) dotnet "$jit_dll" "${global[@]}" "$@" ;;
    jit-nopgo) DOTNET_TieredPGO=0 dotnet "$jit_dll" "${global[@]}" "$@" ;;
    r2r) dotnet "$r2r_dll" "${global[@]}" "$@" ;;
    r2r-nopgo) DOTNET_TieredPGO=0 dotnet "$r2r_dll" "${global[@]}" "$@" ;;
    aot) "$ctrs_bin" "${global[@]}" "$@" ;;
  esac
}
cleanup() {
  set +e
  for id in $(ctrs_as aot containers ls 2>/dev/null | tail -n +2 | cut -d' ' -f1); do
    ctrs_as aot tasks rm -f "$id" >/dev/null 2>&1; ctrs_as aot containers rm "$id" >/dev/null 2>&1
  done
  [ -n "$registry" ] && { kill "$registry" 2>/dev/null; wait "$registry" 2>/dev/null; }
  grep " $work" /proc/self/mountinfo | cut -d' ' -f5 | sort -r | while read -r m; do umount -l "$m"; done
  for d in $new_parents; do rmdir "$d" 2>/dev/null; done
  rm -rf "$work"
  true
}
trap cleanup EXIT
. scripts/local-registry.sh
. benchmarks/scripts/bench-image.sh

start_local_registry "$work"
build_bench_image "$work" 0 0
ref="127.0.0.1:$port/bench/busybox:v1"
skopeo copy --quiet --dest-tls-verify=false "oci:$layout:v1" "docker://$ref"
ctrs_as aot images pull --plain-http "$ref" >/dev/null
for b in "${builds[@]}"; do ctrs_as "$b" run --rm "$ref" "warm-$b" /bin/busybox true; done  # each build run once, untimed

ms() { echo $(( ($2 - $1) / 1000000 )); }
declare -A times
loads=()
for i in $(seq "$rounds"); do
  loads+=("$(cut -d' ' -f1 /proc/loadavg)")
  for command in "images ls" "tasks ls" run; do
    for b in "${builds[@]}"; do
      t0=$(now)
      if [ "$command" = run ]; then ctrs_as "$b" run --rm "$ref" "r$i-$b" /bin/busybox true
      else read -ra words <<<"$command"; ctrs_as "$b" "${words[@]}" >/dev/null; fi
      t1=$(now)
      times["$command/$b"]+="$(ms "$t0" "$t1") "
    done
  done
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a/b}'; }
echo "ctrs start-up, $rounds rounds (builds interleaved), load average per round ${loads[*]}, now $(cut -d' ' -f1-3 /proc/loadavg):"
for command in "images ls" "tasks ls" run; do
  declare -A med=()
  for b in "${builds[@]}"; do
    read -ra t <<<"${times[$command/$b]}"
    med[$b]=$(median "${t[@]}")
    printf '  %-10s %-10s %s ms; median %s ms\n' "$command" "$b" "${t[*]}" "${med[$b]}"
  done
  echo "  $command: jit/aot $(ratio "${med[jit]}" "${med[aot]}"), jit-nopgo/aot $(ratio "${med[jit-nopgo]}" "${med[aot]}"), r2r/aot $(ratio "${med[r2r]}" "${med[aot]}"), r2r-nopgo/aot $(ratio "${med[r2r-nopgo]}" "${med[aot]}")"
done
