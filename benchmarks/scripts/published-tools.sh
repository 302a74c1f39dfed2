# Sourced by run-compare.sh and ctrs-startup.sh (from the repository root): our two commands as users get them.
# `published_runcs` sets $runcs: RUNCS, else artifacts/runcs/runcs (published once when missing).
# `published_ctrs` sets $ctrs_bin: CTRS, else artifacts/ctrs/ctrs, NativeAOT with libe_sqlite3.so beside it
# (`dotnet publish` every time: it is incremental, and a stale ctrs would time old library code).
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
    dotnet publish samples/Ctrs -c Release -r linux-x64 -o artifacts/ctrs -nologo -clp:ErrorsOnly >/dev/null
    ctrs_bin="$PWD/artifacts/ctrs/ctrs"
  fi
}
