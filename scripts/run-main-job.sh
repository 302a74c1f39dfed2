#!/usr/bin/env bash
# The README's main job: a container from an image, end to end, through the library.
# Starts Debian's docker-registry on 127.0.0.1, builds a busybox image from busybox-static and
# pushes it with our registry client, pulls it back into a content store, unpacks it, and runs it
# with runcs (NativeAOT). Extra arguments replace the command run in the container.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

dotnet publish src/Containers.Runc -c Release -r linux-x64 -o artifacts/runcs -nologo -clp:ErrorsOnly
dotnet build samples/QuickStart -c Release -nologo -clp:ErrorsOnly

work="$(mktemp -d /tmp/containers-main-job.XXXXXX)"
# A free loopback port: try random ones until nothing answers there.
port=""
for _ in $(seq 50); do
  candidate=$(shuf -i 20000-60000 -n 1)
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then port=$candidate; break; fi
done
[ -n "$port" ] || { echo "no free port found" >&2; exit 1; }
cat > "$work/registry.yml" <<YAML
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $work/registry
http:
  addr: 127.0.0.1:$port
YAML
/usr/bin/docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
registry=$!
trap 'kill $registry 2>/dev/null || true; wait $registry 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 100); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
  sleep 0.1
done

if [ "$#" -eq 0 ]; then
  set -- sh -c 'echo "hello from a container: $(hostname), pid $$, $(id)"; ls /'
fi
dotnet samples/QuickStart/bin/Release/net10.0/quickstart.dll \
  --runcs artifacts/runcs/runcs --root "$work/root" --push-busybox \
  "127.0.0.1:$port/demo/busybox:latest" "$@"
