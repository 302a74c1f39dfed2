#!/usr/bin/env bash
# The README's test command: installs what the tests need, builds everything with warnings as
# errors, runs every NUnit project (as root: real namespaces, mounts, cgroups, registry) and
# prints one closing line "tests: N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")/.."

"$(dirname "$0")/install-deps.sh"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
configuration="${CONFIGURATION:-Release}"

dotnet build Containers.sln -c "$configuration" -warnaserror -nologo -clp:ErrorsOnly

log="$(mktemp)"
runcs_dir=""
ctrs_dir=""
trap 'rm -f "$log"; for d in "$runcs_dir" "$ctrs_dir"; do if [ -n "$d" ]; then rm -rf "$d"; fi; done' EXIT

# runcs and ctrs (NativeAOT) are published once for every test project (they honour RUNCS_PATH and
# CTRS_PATH) instead of once per project: each publish costs a minute or more on 2 cores. The ctrs
# tests run the published ctrs, as users get it, not the JIT build's ctrs.dll.
if [ -z "${RUNCS_PATH:-}" ]; then
  runcs_dir="$(mktemp -d /tmp/runcs-tests.XXXXXX)"
  chmod 0755 "$runcs_dir"  # as a bin directory: tests run it as other users too
  dotnet publish src/Containers.Runc -c Release -r linux-x64 -o "$runcs_dir" -nologo -clp:ErrorsOnly
  export RUNCS_PATH="$runcs_dir/runcs"
fi
if [ -z "${CTRS_PATH:-}" ]; then
  ctrs_dir="$(mktemp -d /tmp/ctrs-tests.XXXXXX)"
  dotnet publish samples/Ctrs -c Release -r linux-x64 -o "$ctrs_dir" -nologo -clp:ErrorsOnly
  export CTRS_PATH="$ctrs_dir/ctrs"
fi
status=0
# One project at a time: the suites mount, clone and publish runcs; running them side by side
# on a 2-core machine only makes each slower.
for project in tests/*/*.csproj; do
  dotnet test "$project" -c "$configuration" --no-build --nologo 2>&1 | tee -a "$log" || status=1
done

# dotnet test prints one summary per assembly ("Passed!  - Failed: 0, Passed: 12, Skipped: 0, …").
read -r passed failed skipped < <(awk '
  /(Passed|Failed)! +- Failed:/ {
    for (i = 1; i <= NF; i++) {
      if ($i == "Failed:")  { f += $(i+1) + 0 }
      if ($i == "Passed:")  { p += $(i+1) + 0 }
      if ($i == "Skipped:") { s += $(i+1) + 0 }
    }
  }
  END { printf "%d %d %d\n", p, f, s }' "$log")
echo "tests: ${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$passed" -eq 0 ]; then
  echo "no test ran" >&2
  status=1
fi
exit "$status"
