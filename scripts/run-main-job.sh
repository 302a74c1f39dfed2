#!/usr/bin/env bash
# The README's main job: a container from an image, end to end, through the library.
# Starts Debian's docker-registry on 127.0.0.1, builds a busybox image from busybox-static and
# pushes it with our registry client, then through ContainerClient pulls it back (content store +
# overlayfs snapshots), runs a container with a `runcs shim` driving runcs (NativeAOT), and prints
# its output. Extra arguments replace the command run in the container.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

dotnet publish src/Containers.Runc -c Release -r linux-x64 -o artifacts/runcs -nologo -clp:ErrorsOnly
dotnet build samples/QuickStart -c Release -nologo -clp:ErrorsOnly

work="$(mktemp -d /tmp/containers-main-job.XXXXXX)"
registry=""
# Parent cgroups outlive their containers (as runc's do): runcs's default parent and the
# quick start namespace's (/quickstart/<id>) are removed again if this job created them and
# they are empty (rmdir refuses a cgroup that is in use).
new_parents="$(for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do for p in containers-dotnet quickstart; do [ -f "$h/cgroup.procs" ] && [ ! -d "$h/$p" ] && echo "$h/$p"; done; done || true)"
trap '[ -z "$registry" ] || { kill $registry 2>/dev/null; wait $registry 2>/dev/null; } || true; rm -rf "$work"; for d in $new_parents; do rmdir "$d" 2>/dev/null || true; done' EXIT
. scripts/local-registry.sh
start_local_registry "$work"

if [ "$#" -eq 0 ]; then
  set -- sh -c 'echo "hello from a container: $(hostname), pid $$, $(id)"; ls /'
fi
dotnet samples/QuickStart/bin/Release/net10.0/quickstart.dll \
  --runcs artifacts/runcs/runcs --root "$work/root" --push-busybox \
  "127.0.0.1:$port/demo/busybox:latest" "$@"
