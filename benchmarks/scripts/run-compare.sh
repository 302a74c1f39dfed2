#!/usr/bin/env bash
# Side by side, on one busybox image in one local registry, in one run: how long it takes to run a
# container of `/bin/busybox true` and remove it, from a warm host (image pulled and unpacked before):
#   ctrs run --rm             our ctr-like CLI as users get it: the NativeAOT ctrs `dotnet publish -r linux-x64` makes
#   ctrs (JIT) run --rm       the same CLI from `dotnet build`, run by `dotnet ctrs.dll` (runtime start-up + JIT included)
#   ours, warm in-process     ContainerClient.RunAsync in one long-lived .NET process (the library as embedded)
#   ctr run --rm              Debian's containerd 1.6 (a private instance, all paths under the work dir) + runc
#   podman run --rm           Debian's podman 4.3, private --root/--runroot, cgroupfs, file events, runc,
#                             --network none; `--ulimit nofile=H:H --ulimit nproc=32768:32768` with the current
#                             hard limits (root here lacks CAP_SYS_RESOURCE, podman's defaults would raise them)
# Rounds run every tool once in turn (our warm hosts are paced by a line on stdin); prints each tool's runs, medians and the ratios to ours. Then the
# shim's memory for one running container (sleep), ours (`runcs shim`) against containerd-shim-runc-v2:
# RSS, PSS and USS (Private_Clean + Private_Dirty) from /proc/<pid>/smaps_rollup, and the thread count.
# Usage (root): benchmarks/scripts/run-compare.sh [runs, default 10]     RUNCS=/path/to/runcs to skip publishing,
# CTRS=/path/to/ctrs to use a published ctrs (else it publishes artifacts/ctrs, incrementally),
# BDN=1 to run BenchmarkDotNet's ContainerRunBenchmarks on the same image afterwards.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-10}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

. benchmarks/scripts/bench-tools.sh
install_missing podman:podman ctr:containerd containerd-shim-runc-v2:containerd runc:runc docker-registry:docker-registry skopeo:skopeo busybox:busybox-static

published_runcs
published_ctrs
dotnet build samples/Ctrs -c Release -nologo -clp:ErrorsOnly >/dev/null
dotnet build benchmarks/Containers.Benchmarks -c Release -nologo -clp:ErrorsOnly >/dev/null
ctrs_dll=samples/Ctrs/bin/Release/net10.0/ctrs.dll
bench=benchmarks/Containers.Benchmarks/bin/Release/net10.0/Containers.Benchmarks.dll

work="$(mktemp -d /tmp/run-compare.XXXXXX)"
ns="runcmp-$$"
tag="rc$$"
registry=""
# Cgroup parents this script's containers get (/<ns> for ctrs's and containerd's, /bench for the warm hosts'
# (WarmRuntime's namespace), podman's libpod_parent): removed at the end when this script made them (rmdir
# refuses one in use).
new_parents="$(for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do [ -f "$h/cgroup.procs" ] || continue; for p in "$ns" bench libpod_parent; do [ -d "$h/$p" ] || echo "$h/$p"; done; done || true)"
podman_made_run=$([ -e /run/containers ] && echo 0 || echo 1)
# containerd-shim-runc-v2 keeps its sockets in /run/containerd/s and runc's state in /run/containerd/runc/<ns>
# whatever containerd's state directory, ctr its FIFOs in /run/containerd/fifo; podman's runc uses /run/runc.
made_run_containerd=$([ -e /run/containerd ] && echo 0 || echo 1)
made_run_runc=$([ -e /run/runc ] && echo 0 || echo 1)
restore_dev_null() { chown root:root /dev/null; chmod 0666 /dev/null; }
# RUN_STATE_TMPFS=1: every tool's volatile state (ctrs's and the warm hosts' state directories, containerd's state,
# podman's runroot) goes on a tmpfs mounted at $work/run, as /run is on most hosts (here it is ext4). The host-wide
# paths containerd 1.6's shim and runc keep using (/run/containerd/s, /run/containerd/runc) stay where they are.
run_dir="$work"
if [ "${RUN_STATE_TMPFS:-0}" = 1 ]; then
  mkdir -p "$work/run"
  mount -t tmpfs -o mode=0711 run-compare "$work/run"
  run_dir="$work/run"
  export CONTAINERS_BENCH_STATE_PARENT="$work/run"
fi
# Both ctrs builds share one root, state and namespace (the same code; only how it is compiled differs).
ctrs() { "$ctrs_bin" --root "$work/ctrs/root" --state "$run_dir/ctrs-state" --namespace "$ns" --runcs "$runcs" "$@"; }
ctrs_jit() { dotnet "$ctrs_dll" --root "$work/ctrs/root" --state "$run_dir/ctrs-state" --namespace "$ns" --runcs "$runcs" "$@"; }
cleanup() {
  set +e
  for id in $(ctrs containers ls 2>/dev/null | tail -n +2 | cut -d' ' -f1); do ctrs tasks rm -f "$id" >/dev/null 2>&1; ctrs containers rm "$id" >/dev/null 2>&1; done
  if [ -n "${ctrd_sock:-}" ] && [ -n "${ctrd:-}" ]; then
    for id in $(/usr/bin/ctr --address "$ctrd_sock" -n "$ns" containers ls -q 2>/dev/null); do
      /usr/bin/ctr --address "$ctrd_sock" -n "$ns" tasks rm -f "$id" >/dev/null 2>&1
      /usr/bin/ctr --address "$ctrd_sock" -n "$ns" containers rm "$id" >/dev/null 2>&1
    done
  fi
  stop_private_containerd
  [ -n "$registry" ] && { kill "$registry" 2>/dev/null; wait "$registry" 2>/dev/null; }
  grep " $work" /proc/self/mountinfo | cut -d' ' -f5 | sort -r | while read -r m; do umount -l "$m"; done
  # podman puts conmon in libpod_parent/conmon (cgroupfs manager): that child goes first.
  for d in $new_parents; do rmdir "$d/conmon" 2>/dev/null; rmdir "$d" 2>/dev/null; done
  [ "$podman_made_run" = 1 ] && rmdir /run/containers/networks /run/containers 2>/dev/null
  rmdir "/run/containerd/runc/$ns" 2>/dev/null
  [ "$made_run_containerd" = 1 ] && rmdir /run/containerd/runc /run/containerd/s /run/containerd/fifo /run/containerd 2>/dev/null
  [ "$made_run_runc" = 1 ] && rmdir /run/runc 2>/dev/null
  restore_dev_null
  rm -rf "$work"
  true
}
trap cleanup EXIT
. scripts/local-registry.sh
. benchmarks/scripts/bench-image.sh
. benchmarks/scripts/private-containerd.sh

# The image: one layer holding busybox-static (no applet links: every tool runs /bin/busybox true).
start_local_registry "$work"
build_bench_image "$work" 0 0
ref="127.0.0.1:$port/bench/busybox:v1"
skopeo copy --quiet --dest-tls-verify=false "oci:$layout:v1" "docker://$ref"

# Warm hosts: each tool has the image pulled and unpacked, and has run one container, before timing.
ctrs images pull --plain-http "$ref" >/dev/null
ctrs run --rm "$ref" "$tag-warm" /bin/busybox true
ctrs_jit run --rm "$ref" "$tag-warm" /bin/busybox true
start_private_containerd "$work/containerd" "$run_dir/containerd-state"
ctr() { /usr/bin/ctr --address "$ctrd_sock" -n "$ns" "$@"; }
ctr images pull --plain-http "$ref" >/dev/null
ctr run --rm "$ref" "$tag-warm" /bin/busybox true
restore_dev_null
p="$work/podman"
mkdir -p "$p"
cat > "$p/containers.conf" <<CONF
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$p/events.log"
runtime = "runc"
[network]
network_config_dir = "$p/networks"
CONF
nofile=$(ulimit -Hn)
nproc_hard=$(ulimit -Hu)
nproc=32768
[ "$nproc_hard" != unlimited ] && [ "$nproc_hard" -lt "$nproc" ] && nproc=$nproc_hard
podman() { CONTAINERS_CONF="$p/containers.conf" /usr/bin/podman --root "$p/storage" --runroot "$run_dir/podman-run" --tmpdir "$p/tmp" --cgroup-manager cgroupfs --events-backend file --runtime /usr/bin/runc "$@"; }
podman_run() { podman run --rm --network none --ulimit "nofile=$nofile:$nofile" --ulimit "nproc=$nproc:$nproc" "$@"; }
podman pull --quiet --tls-verify=false "docker://$ref" >/dev/null
podman_run "$ref" /bin/busybox true
restore_dev_null

ms() { echo $(( ($2 - $1) / 1000000 )); }
# Untimed runs each warm host makes before its first timed one: a host that has been running containers
# for a while has its run path compiled at the JIT's top tier; two runs measure tier-0 code and the
# background JIT competing for the 2 cores. WARMUP=2 gives the old figures.
warmup=${WARMUP:-200}
# BURST=N: after the rounds, N more runs back to back (no pause) of ctr and of each warm host, for the throughput
# of runs that follow each other (threads awake, caches warm) beside the lone runs the rounds time.
burst=${BURST:-0}
# Our warm in-process hosts, each a paced run-warm (one timed RunAsync per line read) so every round
# runs all contenders back to back: per-container shim (the default: each run takes the spare shim started ahead,
# which exits with it), per-container shim without the spare (CONTAINERS_BENCH_SPARE_SHIM=0: each create starts its
# shim, as containerd's does), warm shim pool (WarmShims=1), shared shim group.
warm_host() { # NAME [env...] -- [group]: starts a paced host on fifos $work/NAME.in/.out
  local name=$1; shift
  mkfifo "$work/$name.in" "$work/$name.out"
  env CONTAINERS_BENCH_IMAGE="$ref" CONTAINERS_BENCH_PACED=1 CONTAINERS_BENCH_WARMUP="$warmup" "$@" dotnet "$bench" run-warm "$ref" "$runcs" "$((runs + burst))" ${group_arg:-} \
    <"$work/$name.in" >"$work/$name.out" &
}
warm_time() { echo go >&"$1"; local t; read -r t <&"$2"; echo "$t"; }
group_arg="" warm_host own CONTAINERS_BENCH_WARM_SHIMS=0
group_arg="" warm_host bare CONTAINERS_BENCH_WARM_SHIMS=0 CONTAINERS_BENCH_SPARE_SHIM=0
group_arg="" warm_host pool CONTAINERS_BENCH_WARM_SHIMS=1 CONTAINERS_BENCH_SPARE_SHIM=0
group_arg="$tag-group" warm_host group CONTAINERS_BENCH_WARM_SHIMS=0 CONTAINERS_BENCH_SPARE_SHIM=0
exec 5>"$work/own.in" 6<"$work/own.out" 7>"$work/pool.in" 8<"$work/pool.out" 3>"$work/group.in" 4<"$work/group.out" \
  9>"$work/bare.in" {bare_out}<"$work/bare.out"
# Each host says "ready" when its warm-up runs are done (the JIT has tiered the run path up by then).
for fd in 6 "$bare_out" 8 4; do read -r ready <&"$fd"; [ "$ready" = ready ] || { echo "warm host not ready: $ready" >&2; exit 1; }; done
t_ctrs=(); t_jit=(); t_ctr=(); t_podman=(); t_warm=(); t_bare=(); t_pool=(); t_group=()
loads=()
# Each tool's run leaves work behind it (containerd's and podman's clean-up processes, the kernel's network
# namespace teardown, RCU callbacks): a pause of SETTLE_MS (default 250) before every timed run lets that
# finish instead of landing on whichever tool comes next, and the order rotates each round so no tool always
# follows the same one. SETTLE_MS=0 ROTATE=0 gives the old fixed order back to back.
settle_ms=${SETTLE_MS:-250}
settle() { [ "$settle_ms" -gt 0 ] && sleep "$(awk -v m="$settle_ms" 'BEGIN {printf "%.3f", m / 1000}')"; true; }
run_tool() { # INDEX ROUND: one timed run of tool INDEX
  local t0 t1
  settle
  case $1 in
    0) t0=$(now); ctrs run --rm "$ref" "$tag-$2" /bin/busybox true; t1=$(now); t_ctrs+=($(ms "$t0" "$t1")) ;;
    1) t0=$(now); ctrs_jit run --rm "$ref" "$tag-$2-jit" /bin/busybox true; t1=$(now); t_jit+=($(ms "$t0" "$t1")) ;;
    2) t0=$(now); ctr run --rm "$ref" "$tag-$2" /bin/busybox true; t1=$(now); t_ctr+=($(ms "$t0" "$t1")); restore_dev_null ;;
    3) t0=$(now); podman_run "$ref" /bin/busybox true; t1=$(now); t_podman+=($(ms "$t0" "$t1")); restore_dev_null ;;
    4) t_warm+=($(warm_time 5 6)) ;;
    5) t_pool+=($(warm_time 7 8)) ;;
    6) t_group+=($(warm_time 3 4)) ;;
    7) t_bare+=($(warm_time 9 "$bare_out")) ;;
  esac
}
for i in $(seq "$runs"); do
  loads+=("$(cut -d' ' -f1 /proc/loadavg)")
  for k in 0 1 2 3 4 5 6 7; do
    if [ "${ROTATE:-1}" = 1 ]; then run_tool $(( (k + i) % 8 )) "$i"; else run_tool "$k" "$i"; fi
  done
done
b_ctr=(); b_warm=(); b_bare=(); b_pool=(); b_group=()
if [ "$burst" -gt 0 ]; then
  settle
  for j in $(seq "$burst"); do
    t0=$(now); ctr run --rm "$ref" "$tag-b$j" /bin/busybox true; t1=$(now); b_ctr+=($(ms "$t0" "$t1"))
  done
  restore_dev_null
  burst_host() { # IN OUT: N lines at once, then N times
    local j t
    settle
    for j in $(seq "$burst"); do echo go >&"$1"; done
    for j in $(seq "$burst"); do read -r t <&"$2"; echo "$t"; done
  }
  b_warm=($(burst_host 5 6)); b_bare=($(burst_host 9 "$bare_out")); b_pool=($(burst_host 7 8)); b_group=($(burst_host 3 4))
fi
exec 5>&- 7>&- 3>&- 9>&-
wait_hosts() { cat <&6 >/dev/null; cat <&"$bare_out" >/dev/null; cat <&8 >/dev/null; cat <&4 >/dev/null; }
wait_hosts
exec 6<&- 8<&- 4<&- {bare_out}<&-

m_ctrs=$(median "${t_ctrs[@]}"); m_jit=$(median "${t_jit[@]}"); m_ctr=$(median "${t_ctr[@]}"); m_podman=$(median "${t_podman[@]}"); m_warm=$(median "${t_warm[@]}"); m_bare=$(median "${t_bare[@]}"); m_pool=$(median "${t_pool[@]}"); m_group=$(median "${t_group[@]}")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a/b}'; }
echo "run --rm of /bin/busybox true, warm hosts ($warmup untimed runs first), $runs runs each (interleaved rounds, order rotating: ${ROTATE:-1}, ${settle_ms} ms settle before each run), load average per round ${loads[*]}, now $(cut -d' ' -f1-3 /proc/loadavg):"
echo "  ctrs run --rm (NativeAOT):   ${t_ctrs[*]} ms; median $m_ctrs ms"
echo "  ctrs run --rm (JIT, dotnet): ${t_jit[*]} ms; median $m_jit ms"
echo "  ours warm (RunAsync):        ${t_warm[*]} ms; median $m_warm ms (the default: a shim per run, the spare started ahead)"
echo "  ours warm, no spare shim:    ${t_bare[*]} ms; median $m_bare ms (SpareShim = false: each create starts its shim)"
echo "  ours warm, warm shim pool:   ${t_pool[*]} ms; median $m_pool ms (WarmShims = 1: the previous run's shim takes the next task)"
echo "  ours warm, shared shim group: ${t_group[*]} ms; median $m_group ms (a sleeping member keeps the group's shim)"
echo "  ctr run --rm (containerd):   ${t_ctr[*]} ms; median $m_ctr ms"
echo "  podman run --rm:             ${t_podman[*]} ms; median $m_podman ms"
echo "  ratio ctr/ctrs $(ratio "$m_ctr" "$m_ctrs"), ctr/ctrs-jit $(ratio "$m_ctr" "$m_jit"), ctrs-jit/ctrs $(ratio "$m_jit" "$m_ctrs"), ctr/ours-warm $(ratio "$m_ctr" "$m_warm"), ctr/ours-nospare $(ratio "$m_ctr" "$m_bare"), ctr/ours-pool $(ratio "$m_ctr" "$m_pool"), ctr/ours-group $(ratio "$m_ctr" "$m_group"); podman/ctrs $(ratio "$m_podman" "$m_ctrs"), podman/ours-warm $(ratio "$m_podman" "$m_warm")"

if [ "$burst" -gt 0 ]; then
  mb_ctr=$(median "${b_ctr[@]}"); mb_warm=$(median "${b_warm[@]}"); mb_bare=$(median "${b_bare[@]}"); mb_pool=$(median "${b_pool[@]}"); mb_group=$(median "${b_group[@]}")
  echo "back to back, $burst runs each (medians): ctr run --rm $mb_ctr ms; ours RunAsync $mb_warm ms, no spare $mb_bare ms, warm shim $mb_pool ms, shim group $mb_group ms;" \
    "ratio ctr/ours-warm $(ratio "$mb_ctr" "$mb_warm"), ctr/ours-nospare $(ratio "$mb_ctr" "$mb_bare"), ctr/ours-pool $(ratio "$mb_ctr" "$mb_pool"), ctr/ours-group $(ratio "$mb_ctr" "$mb_group")"
fi

# Shim memory: one running container each.
mem() {
  local pid=$1 rss pss uss threads
  rss=$(awk '/^Rss:/ {print $2}' "/proc/$pid/smaps_rollup")
  pss=$(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup")
  uss=$(awk '/^Private_(Clean|Dirty):/ {s += $2} END {print s}' "/proc/$pid/smaps_rollup")
  threads=$(awk '/^Threads:/ {print $2}' "/proc/$pid/status")
  echo "$(cat "/proc/$pid/comm") (pid $pid): RSS $rss kB, PSS $pss kB, USS $uss kB, $threads threads"
}
ctrs run -d "$ref" "$tag-mem" /bin/busybox sleep 1000
ctr run -d "$ref" "$tag-mem" /bin/busybox sleep 1000
sleep 1
ours_init=$(ctrs tasks ls | awk -v id="$tag-mem" '$1 == id {print $2}')
theirs_init=$(ctr tasks ls | awk -v id="$tag-mem" '$1 == id {print $2}')
echo "shim memory, one running container each:"
echo "  ours:       $(mem "$(awk '{print $4}' "/proc/$ours_init/stat")")"
echo "  containerd: $(mem "$(awk '{print $4}' "/proc/$theirs_init/stat")")"
ctrs tasks rm -f "$tag-mem" >/dev/null; ctrs containers rm "$tag-mem" >/dev/null
ctr tasks kill -s SIGKILL "$tag-mem" 2>/dev/null || true; sleep 0.5; ctr tasks rm -f "$tag-mem" >/dev/null 2>&1 || true; ctr containers rm "$tag-mem"
restore_dev_null

# BDN=1: also BenchmarkDotNet's ContainerRunBenchmarks (RunAsync in a warm host) on the same image,
# in-process (no generated project to build on a loaded machine).
if [ "${BDN:-0}" = 1 ]; then
  CONTAINERS_BENCH_IMAGE="$ref" RUNCS="$runcs" dotnet "$bench" --filter '*ContainerRun*' --inProcess
fi
