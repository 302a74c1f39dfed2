#!/bin/sh
# Regenerates src/Containers.Linux/Seccomp/SyscallTables/ from the installed libseccomp
# (Debian: apt-get install libseccomp-dev). Pass --csv-only to skip the dump and just
# regenerate the C# from the committed CSV.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out="$here/../../src/Containers.Linux/Seccomp/SyscallTables"
mkdir -p "$out"
if [ "${1:-}" != "--csv-only" ]; then
    tmp=$(mktemp -d)
    cc -O1 -o "$tmp/dump" "$here/dump-libseccomp-syscalls.c" -lseccomp
    "$tmp/dump" > "$out/syscalls.csv"
    rm -rf "$tmp"
fi
python3 "$here/generate-cs.py" "$out/syscalls.csv" "$out/SyscallTable.Generated.cs"
