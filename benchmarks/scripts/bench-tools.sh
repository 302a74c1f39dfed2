# Sourced by run-compare.sh and ctrs-startup.sh (from the repository root): the tools a comparison runs.
# `install_missing COMMAND:PACKAGE...` apt-installs the packages of the commands not on PATH.
# Our two commands as users get them:
# `published_runcs` sets $runcs: RUNCS, else artifacts/runcs/runcs (published once when missing).
# `published_ctrs` sets $ctrs_bin: CTRS, else artifacts/ctrs/ctrs, NativeAOT with libe_sqlite3.so beside it
# (`dotnet publish` every time: it is incremental, and a stale ctrs would time old library code).
install_missing() {
  local need=() tool
  for tool in "$@"; do
    command -v "${tool%%:*}" >/dev/null || need+=("${tool#*:}")
  done
  if [ "${#need[@]}" -gt 0 ]; then
    apt-get update && apt-get install -y "${need[@]}"
  fi
}
published_runcs() {
  runcs="${RUNCS:-}"
  if [ -z "$runcs" ]; then
    runcs="$PWD/artifacts/runcs/runcs"
    if [ ! -x "$runcs" ]; then
      echo "publishing runcs (NativeAOT)..." >&2
      dotnet publish src/Containers.Runc -c Release -r linux-x64 -o artifacts/runcs -nologo -clp:ErrorsOnly >&2
    fi
  fi
}
published_ctrs() {
  ctrs_bin="${CTRS:-}"
  if [ -z "$ctrs_bin" ]; then
    echo "publishing ctrs (NativeAOT)..." >&2
    dotnet publish samples/Ctrs -c Release -r linux-x64 -o artifacts/ctrs -nologo -clp:ErrorsOnly >&2
    ctrs_bin="$PWD/artifacts/ctrs/ctrs"
  fi
}
