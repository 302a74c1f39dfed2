#!/usr/bin/env bash
# Side by side: our Unpacker (content store -> overlayfs or native snapshots, diff ids checked, chain ids
# committed) against `umoci raw unpack` and plain `tar -xzf` of the same layers into a fresh directory (the
# floor: no digest, no whiteouts, no metadata database). Needs root (owners, overlay snapshotter).
# Each run starts from an empty destination; the four alternate within a run. Our process opens a content store
# the layout was imported into once before the runs (a user unpacks an image already pulled, as umoci reads its
# layout in place). Reported: median wall time
# of each whole process (as a user sees it), our in-process unpack time (cold, the process's first), a warm
# in-process median (later unpacks in one process, each into a fresh snapshotter), MB/s of uncompressed
# layer bytes, and ratios (> 1 means we are faster). Also the CPU time (user + sys, from the shell's `times` for its
# children) of each process: on a loaded machine the wall times mostly measure the contention, CPU time what each
# tool costs (it includes our runtime start and JIT, which a warm process no longer pays).
# Usage: benchmarks/scripts/unpack-vs-umoci.sh [runs] [layers] [files per layer] [KiB per file] [random|text]
# UNPACK_AHEAD_MIB=N also runs ours with the next layer decompressed up to N MiB ahead of its apply
# (UnpackOptions.DecompressAheadBytes), interleaved with the others; UNPACK_WARM=0 skips the warm in-process series;
# UNPACK_BASELINE=<Containers.Benchmarks.dll of another build> also runs that build's native unpack (before/after).
# The order of the tools rotates by one each round (run a multiple of their number of rounds for a balanced
# order): on an ext4 without a journal (as / on the test VM) creating an inode skips, one by one, every inode of its
# group freed in the last 1-5 minutes (the kernel's recently_deleted()), so each tool pays for the trees the tools
# before it removed, and a fixed order charges the later ones more. UNPACK_FS=loop unpacks into a fresh ext4 (with a
# journal, as most hosts have, where that search is off) made on a loop device for the script instead.
# File contents: random bytes (incompressible: gzip stores them, decompression is nearly free) or text
# (base64 of random bytes, which gzip -1 shrinks to ~75%, so inflating costs what it does for real layers).
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-5}
layers=${2:-4}
files=${3:-2048}
kib=${4:-8}
content=${5:-random}
case "$content" in random) gen() { head -c "$1" /dev/urandom; } ;; text) gen() { { base64 -w 76 /dev/urandom | head -c "$1"; } || true; } ;; *) echo "content: random or text" >&2; exit 2 ;; esac
. benchmarks/scripts/bench-common.sh

work="$(mktemp -d /tmp/unpack-vs-umoci.XXXXXX)"
dest="$work"
trap 'if mountpoint -q "$dest"; then umount "$dest"; fi; rm -rf "$work"' EXIT

# The image: busybox plus $layers layers, each $files files of $kib KiB (random, in 4 directories) and one
# 8 MiB file, owned by a non-root user, as an OCI layout.
layout="$work/layout"
mkdir -p "$layout/blobs/sha256"
blob() { local d; d=$(sha256sum "$1" | cut -d' ' -f1); mv "$1" "$layout/blobs/sha256/$d"; echo "$d"; }
layer_json=""; diff_ids=""; tar_bytes=0; gz_list=()
for i in $(seq 0 "$layers"); do
  dir="$work/layer$i"; mkdir -p "$dir"
  if [ "$i" -eq 0 ]; then mkdir -p "$dir/bin"; cp /bin/busybox "$dir/bin/busybox"
  else
    for d in 0 1 2 3; do
      mkdir -p "$dir/l$i/d$d"
      gen $(( files / 4 * kib * 1024 )) | (cd "$dir/l$i/d$d" && split -b "${kib}k" -a 4 - f)
    done
    gen $((8 * 1024 * 1024)) > "$dir/l$i/big.bin"
    chown -R 1000:1000 "$dir/l$i"
  fi
  tar --sort=name --mtime=@0 --numeric-owner -C "$dir" -cf "$work/l.tar" .
  tar_bytes=$(( tar_bytes + $(stat -c%s "$work/l.tar") ))
  diff_ids="$diff_ids${diff_ids:+,}\"sha256:$(sha256sum "$work/l.tar" | cut -d' ' -f1)\""
  gzip -1 -n "$work/l.tar"
  size=$(stat -c%s "$work/l.tar.gz"); d=$(blob "$work/l.tar.gz")
  gz_list+=("$layout/blobs/sha256/$d")
  layer_json="$layer_json${layer_json:+,}{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:$d\",\"size\":$size}"
  rm -rf "$dir"
done
write_oci_layout
dotnet "$bench" unpack-import "$layout" "$work/store"
fs_note="$(df --output=fstype "$work" | tail -1) at $work"
if [ "${UNPACK_FS:-}" = loop ]; then
  # Room for one tree per tool at a time (each is removed before the next tool runs) and the warm series.
  truncate -s $(( tar_bytes * 4 + (512 << 20) )) "$work/fs.img"
  mkfs.ext4 -q -F "$work/fs.img"
  dest="$work/dest"; mkdir "$dest"
  mount -o loop "$work/fs.img" "$dest"
  fs_note="a fresh ext4 with a journal on a loop device"
fi

ms() { echo $(( ($2 - $1) / 1000000 )); }
# Milliseconds of CPU (user + sys) used by the shell's finished children when `times > "$work/times"` last ran
# (in this shell: a $(...) subshell has no children of its own to report).
cpu() { tail -1 "$work/times" | awk '{for (i = 1; i <= 2; i++) {split($i, a, "m"); sub("s", "", a[2]); t += a[1] * 60 + a[2]} printf "%d", t * 1000}'; }
umoci_t=(); tar_t=(); ov_t=(); ov_in=(); nat_t=(); nat_in=(); umoci_c=(); tar_c=(); ov_c=(); nat_c=()
ahead=${UNPACK_AHEAD_MIB:-0}
ova_t=(); ova_c=(); nata_t=(); nata_c=(); natb_t=(); natb_c=()
variants="overlayfs native"; [ "$ahead" -gt 0 ] && variants="overlayfs overlayfs+ahead native native+ahead"
[ -n "${UNPACK_BASELINE:-}" ] && variants="$variants native+baseline"
loads=()
tools=(umoci tar $variants)
for i in $(seq "$runs"); do
  for j in $(seq 0 $(( ${#tools[@]} - 1 ))); do
    v=${tools[$(( (j + i - 1) % ${#tools[@]} ))]}
    sync
    case "$v" in
      umoci)
        times > "$work/times"; c0=$(cpu); t0=$(now); umoci raw unpack --image "$layout:v1" "$dest/umoci-$i" >/dev/null 2>&1; t1=$(now); times > "$work/times"; c1=$(cpu)
        umoci_t+=($(ms "$t0" "$t1")); umoci_c+=($((c1 - c0))); rm -rf "$dest/umoci-$i" ;;
      tar)
        times > "$work/times"; c0=$(cpu); t0=$(now); mkdir "$dest/tar-$i"; for g in "${gz_list[@]}"; do tar -xzf "$g" -C "$dest/tar-$i"; done; t1=$(now); times > "$work/times"; c1=$(cpu)
        tar_t+=($(ms "$t0" "$t1")); tar_c+=($((c1 - c0))); rm -rf "$dest/tar-$i" ;;
      *)
        s=${v%+*}; a=0; [ "$v" = "$s+ahead" ] && a=$ahead
        b=$bench; [ "$v" = "$s+baseline" ] && b=$UNPACK_BASELINE
        # Not $(...): the process must be a child of this shell for `times` to count it.
        times > "$work/times"; c0=$(cpu); t0=$(now); UNPACK_AHEAD_MIB=$a dotnet "$b" unpack "$work/store" "$dest/ours-$s-$i" "$s" > "$work/out"; t1=$(now); times > "$work/times"; c1=$(cpu); out=$(cat "$work/out")
        case "$v" in
          overlayfs) ov_t+=($(ms "$t0" "$t1")); ov_in+=("${out%% *}"); ov_c+=($((c1 - c0))) ;;
          native) nat_t+=($(ms "$t0" "$t1")); nat_in+=("${out%% *}"); nat_c+=($((c1 - c0))) ;;
          overlayfs+ahead) ova_t+=($(ms "$t0" "$t1")); ova_c+=($((c1 - c0))) ;;
          native+ahead) nata_t+=($(ms "$t0" "$t1")); nata_c+=($((c1 - c0))) ;;
          native+baseline) natb_t+=($(ms "$t0" "$t1")); natb_c+=($((c1 - c0))) ;;
        esac
        rm -rf "$dest/ours-$s-$i" ;;
    esac
  done
  loads+=("$(cut -d' ' -f1 /proc/loadavg)")
done
# Warm: several unpacks in one process (content imported once), the first dropped.
warm() { dotnet "$bench" unpack "$work/store" "$dest/warm-$1" "$1" $(( runs + 1 )) | tail -n +2 | cut -d' ' -f1; rm -rf "$dest/warm-$1"; }
if [ "${UNPACK_WARM:-1}" != 0 ]; then ov_warm=($(warm overlayfs)); nat_warm=($(warm native)); else ov_warm=(0); nat_warm=(0); fi

mb=$(awk -v b="$tar_bytes" 'BEGIN {printf "%.1f", b / 1048576}')
rate() { awk -v b="$tar_bytes" -v t="$1" 'BEGIN {printf "%.0f", b / 1048576 / (t / 1000)}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
mu=$(median "${umoci_t[@]}"); mt=$(median "${tar_t[@]}")
mo=$(median "${ov_t[@]}"); moi=$(median "${ov_in[@]}"); mow=$(median "${ov_warm[@]}")
mn=$(median "${nat_t[@]}"); mni=$(median "${nat_in[@]}"); mnw=$(median "${nat_warm[@]}")
echo "image: $(( layers + 1 )) layers ($content content), ${mb} MiB uncompressed, $(du -sb "$layout/blobs" | cut -f1) bytes in blobs; $runs alternating runs (order rotated each round: ${tools[*]}), unpacked into $fs_note"
printf '%-34s %8s ms  %5s MB/s\n' "umoci raw unpack" "$mu" "$(rate "$mu")"
printf '%-34s %8s ms  %5s MB/s\n' "tar -xzf (each layer)" "$mt" "$(rate "$mt")"
printf '%-34s %8s ms  %5s MB/s   (in process %s ms cold, %s ms warm)\n' "ours overlayfs (process)" "$mo" "$(rate "$mo")" "$moi" "$mow"
printf '%-34s %8s ms  %5s MB/s   (in process %s ms cold, %s ms warm)\n' "ours native (process)" "$mn" "$(rate "$mn")" "$mni" "$mnw"
echo "ratio umoci/ours: overlayfs $(ratio "$mu" "$mo") process, $(ratio "$mu" "$mow") warm; native $(ratio "$mu" "$mn") process, $(ratio "$mu" "$mnw") warm"
echo "ratio tar/ours:   overlayfs $(ratio "$mt" "$mo") process, $(ratio "$mt" "$mow") warm; native $(ratio "$mt" "$mn") process, $(ratio "$mt" "$mnw") warm"
echo "CPU (user + sys) medians: umoci $(median "${umoci_c[@]}") ms, tar $(median "${tar_c[@]}") ms, ours overlayfs $(median "${ov_c[@]}") ms, native $(median "${nat_c[@]}") ms"
echo "ratio umoci/ours CPU: overlayfs $(ratio "$(median "${umoci_c[@]}")" "$(median "${ov_c[@]}")"), native $(ratio "$(median "${umoci_c[@]}")" "$(median "${nat_c[@]}")"); tar/ours CPU: overlayfs $(ratio "$(median "${tar_c[@]}")" "$(median "${ov_c[@]}")"), native $(ratio "$(median "${tar_c[@]}")" "$(median "${nat_c[@]}")")"
if [ "$ahead" -gt 0 ]; then
  echo "decompress-ahead ${ahead} MiB: overlayfs $(median "${ova_t[@]}") ms wall / $(median "${ova_c[@]}") ms CPU (off: $(median "${ov_t[@]}") / $(median "${ov_c[@]}")), native $(median "${nata_t[@]}") / $(median "${nata_c[@]}") (off: $(median "${nat_t[@]}") / $(median "${nat_c[@]}"))"
  echo "ratio off/ahead wall: overlayfs $(ratio "$(median "${ov_t[@]}")" "$(median "${ova_t[@]}")"), native $(ratio "$(median "${nat_t[@]}")" "$(median "${nata_t[@]}")"); CPU: overlayfs $(ratio "$(median "${ov_c[@]}")" "$(median "${ova_c[@]}")"), native $(ratio "$(median "${nat_c[@]}")" "$(median "${nata_c[@]}")")"
  echo "raw ahead: overlayfs ${ova_t[*]} (CPU ${ova_c[*]}) | native ${nata_t[*]} (CPU ${nata_c[*]}) | off CPU: overlayfs ${ov_c[*]} | native ${nat_c[*]}"
fi
if [ -n "${UNPACK_BASELINE:-}" ]; then
  echo "baseline native ($UNPACK_BASELINE): $(median "${natb_t[@]}") ms wall / $(median "${natb_c[@]}") ms CPU; baseline/ours native wall $(ratio "$(median "${natb_t[@]}")" "$mn"), CPU $(ratio "$(median "${natb_c[@]}")" "$(median "${nat_c[@]}")"); raw ${natb_t[*]} (CPU ${natb_c[*]})"
fi
echo "load average after each round: ${loads[*]}; at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "raw: umoci ${umoci_t[*]} | tar ${tar_t[*]} | overlayfs ${ov_t[*]} (in ${ov_in[*]}; warm ${ov_warm[*]}) | native ${nat_t[*]} (in ${nat_in[*]}; warm ${nat_warm[*]})"
