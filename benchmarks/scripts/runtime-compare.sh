#!/usr/bin/env bash
# Side by side: how long `run` of a container that runs `true` takes with runcs (our NativeAOT
# runtime), Debian's runc and Debian's crun, on the same busybox bundle. Each runtime gets its own
# state directory and unique container ids, so parallel runs and other users do not collide.
#
# Usage: sudo benchmarks/scripts/runtime-compare.sh [N] [ROUNDS]
#   N runs per runtime per round (default 30), ROUNDS rounds (default 1). The runtimes take turns
#   round by round (runcs, [runcs-base,] runc, crun, runcs, ...), so a load that drifts during the
#   script run touches them alike.
#   RUNCS=/path/to/runcs        use an already published runcs instead of publishing one
#   RUNCS_BASE=/path/to/runcs   also time this (older) runcs in the same rounds, as "runcs-base"
#
# Debian's crun 1.8 refuses a hybrid cgroup host, so crun runs happen in a private mount namespace
# with an empty tmpfs over /sys/fs/cgroup/unified (crun then sees cgroup v1 only). The namespace is
# made once per round and the round's N runs are timed inside it, so its setup is not counted.
# Debian's runc 1.1.5 sometimes chowns the host's /dev/null; it is put back after the runc runs.
set -euo pipefail
cd "$(dirname "$0")/../.."
N="${1:-${N:-30}}"
ROUNDS="${2:-${ROUNDS:-1}}"
[[ "$N" =~ ^[1-9][0-9]*$ ]] || { echo "N must be a positive integer, got '$N'" >&2; exit 2; }
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || { echo "ROUNDS must be a positive integer, got '$ROUNDS'" >&2; exit 2; }
runcs_base="${RUNCS_BASE:-}"
[ -z "$runcs_base" ] || [ -x "$runcs_base" ] || { echo "RUNCS_BASE=$runcs_base is not an executable" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "run as root: runtimes need to create namespaces and cgroups" >&2; exit 2; }
for tool in runc crun unshare jq /bin/busybox; do
  command -v "$tool" >/dev/null || { echo "$tool is missing (Debian packages: runc crun util-linux jq busybox-static)" >&2; exit 2; }
done
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

work="$(mktemp -d /tmp/runtime-compare.XXXXXX)"
tag="rtcmp-$$-$RANDOM"
restore_dev_null() { chown root:root /dev/null; chmod 0666 /dev/null; }
# runcs's default parent cgroup outlives its containers (as runc's parents do): remove it again if
# this script created it (rmdir refuses a cgroup that is in use or has children).
new_parents="$(for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do [ -f "$h/cgroup.procs" ] && [ ! -d "$h/containers-dotnet" ] && echo "$h/containers-dotnet"; done || true)"
cleanup() {
  for d in $new_parents; do rmdir "$d" 2>/dev/null || true; done
  # Only the containers this script made: each runtime's own state directory, our id prefix.
  for id in $(runc --root "$work/state-runc" list -q 2>/dev/null | grep "^$tag-" || true); do runc --root "$work/state-runc" delete -f "$id" >/dev/null 2>&1 || true; done
  restore_dev_null
  rm -rf "$work"
}
trap cleanup EXIT

# The bundle: busybox-static and one symlink per applet; runc's default spec running `true`.
bundle="$work/bundle"
rootfs="$bundle/rootfs"
mkdir -p "$rootfs"/{bin,sbin,usr/bin,usr/sbin,dev,etc,proc,sys,tmp,root,run}
cp /bin/busybox "$rootfs/bin/busybox"
for applet in $(/bin/busybox --list-full); do
  [ -e "$rootfs/$applet" ] || ln -s /bin/busybox "$rootfs/$applet"
done
echo 'root:x:0:0:root:/root:/bin/sh' > "$rootfs/etc/passwd"
echo 'root:x:0:' > "$rootfs/etc/group"
(cd "$bundle" && runc spec)
jq '.process.terminal = false | .process.args = ["true"]' "$bundle/config.json" > "$bundle/config.json.new"
mv "$bundle/config.json.new" "$bundle/config.json"

runcs="${RUNCS:-}"
if [ -z "$runcs" ]; then
  echo "publishing runcs (NativeAOT)..." >&2
  dotnet publish src/Containers.Runc -c Release -r linux-x64 -o artifacts/runcs -nologo -clp:ErrorsOnly >&2
  runcs="$PWD/artifacts/runcs/runcs"
fi

mkdir -p "$work/times"
# Wall time comes from bash's EPOCHREALTIME and CPU time from this shell's reaped-children counters
# (fields 16 and 17 of /proc/$$/stat, read with a builtin), so that nothing but the runtimes (and what
# they start: the container's process) is forked between the two readings. CPU time is what a loaded,
# shared machine distorts least; it is summed per round and reported as a mean per run.
child_ticks() { local -a st; read -r -a st < "/proc/$$/stat"; ticks=$(( st[15] + st[16] )); }
# time_runs NAME ROUND CMD...: runs CMD run -b BUNDLE ID N times, one duration (ns) per line to
# $work/times/NAME and the CPU ticks of the N runs as one line of NAME.cpu; stderr goes to NAME.log.
time_runs() {
  local name="$1" round="$2"; shift 2
  local i start end t0
  child_ticks; t0=$ticks
  for ((i = 1; i <= N; i++)); do
    start=${EPOCHREALTIME/[.,]/}
    "$@" run -b "$bundle" "$tag-$name-$round-$i" >/dev/null 2>>"$work/times/$name.log" || { cat "$work/times/$name.log" >&2; exit 1; }
    end=${EPOCHREALTIME/[.,]/}
    echo $(( (end - start) * 1000 )) >> "$work/times/$name"
  done
  child_ticks; echo $(( ticks - t0 )) >> "$work/times/$name.cpu"
}
# crun_round ROUND [WARM]: the same for crun, inside a private mount namespace made for this round.
crun_round() {
  unshare -m bash -c '
    set -e
    mount --make-rprivate /
    mount -t tmpfs none /sys/fs/cgroup/unified
    [ -z "$6" ] || crun --root "$1/state-crun" run -b "$2" "$3-warm-crun" >/dev/null
    child_ticks() { local -a st; read -r -a st < "/proc/$$/stat"; ticks=$(( st[15] + st[16] )); }
    child_ticks; t0=$ticks
    for ((i = 1; i <= $4; i++)); do
      start=${EPOCHREALTIME/[.,]/}
      crun --root "$1/state-crun" run -b "$2" "$3-crun-$5-$i" >/dev/null
      end=${EPOCHREALTIME/[.,]/}
      echo $(( (end - start) * 1000 )) >> "$1/times/crun"
    done
    child_ticks; echo $(( ticks - t0 )) >> "$1/times/crun.cpu"
  ' crun-compare "$work" "$bundle" "$tag" "$N" "$1" "${2:-}"
}

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
# One untimed warm-up each, so that page cache and the first cgroup setup are not in the numbers.
"$runcs" --root "$work/state-runcs" run -b "$bundle" "$tag-warm-runcs" >/dev/null 2>"$work/times/warm.log" || { cat "$work/times/warm.log" >&2; exit 1; }
[ -z "$runcs_base" ] || "$runcs_base" --root "$work/state-runcs-base" run -b "$bundle" "$tag-warm-runcs-base" >/dev/null 2>"$work/times/warm.log" || { cat "$work/times/warm.log" >&2; exit 1; }
runc --root "$work/state-runc" run -b "$bundle" "$tag-warm-runc" >/dev/null
restore_dev_null

runtimes="runcs${runcs_base:+ runcs-base} runc crun"
for ((round = 1; round <= ROUNDS; round++)); do
  time_runs runcs "$round" "$runcs" --root "$work/state-runcs"
  [ -z "$runcs_base" ] || time_runs runcs-base "$round" "$runcs_base" --root "$work/state-runcs-base"
  time_runs runc "$round" runc --root "$work/state-runc"
  restore_dev_null
  crun_round "$round" $([ "$round" -eq 1 ] && echo warm)
done
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

median_ms() { sort -n "$work/times/$1" | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.1f", m / 1e6 }'; }
min_ms() { sort -n "$work/times/$1" | head -1 | awk '{ printf "%.1f", $1 / 1e6 }'; }
max_ms() { sort -n "$work/times/$1" | tail -1 | awk '{ printf "%.1f", $1 / 1e6 }'; }
hz="$(getconf CLK_TCK)"
# CPU: the mean per run over all rounds, and the median of the rounds' means (steadier under load).
cpu_ms() { awk -v n="$N" -v hz="$hz" '{ t += $1; r++ } END { printf "%.2f", t * 1000 / hz / n / r }' "$work/times/$1.cpu"; }
cpu_round_median_ms() { awk -v n="$N" -v hz="$hz" '{ print $1 * 1000 / hz / n }' "$work/times/$1.cpu" | sort -n | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.2f", m }'; }

echo
echo "run of 'true', busybox bundle, $ROUNDS round(s) of N=$N runs per runtime, interleaved by round ($(nproc) cores)"
printf '%-11s %10s %10s %10s %12s %16s\n' runtime "median ms" "min ms" "max ms" "cpu ms/run" "cpu round-median"
for r in $runtimes; do printf '%-11s %10s %10s %10s %12s %16s\n' "$r" "$(median_ms $r)" "$(min_ms $r)" "$(max_ms $r)" "$(cpu_ms $r)" "$(cpu_round_median_ms $r)"; done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
for r in $runtimes; do
  [ "$r" = runcs ] && continue
  echo "runcs/$r: wall (medians) $(ratio "$(median_ms runcs)" "$(median_ms "$r")"), cpu (means) $(ratio "$(cpu_ms runcs)" "$(cpu_ms "$r")"), cpu (round medians) $(ratio "$(cpu_round_median_ms runcs)" "$(cpu_round_median_ms "$r")")"
done
echo "load average (1/5/15 min): before $load_before, after $load_after"
