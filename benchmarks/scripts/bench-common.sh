# Sourced by the side-by-side benchmark scripts (from the repository root): builds the benchmark runner
# into $bench and defines now (ns), median and write_oci_layout.
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build benchmarks/Containers.Benchmarks -c Release -nologo -clp:ErrorsOnly >/dev/null
bench=benchmarks/Containers.Benchmarks/bin/Release/net10.0/Containers.Benchmarks.dll
now() { date +%s%N; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# Finishes the OCI layout $layout (tag v1) from $diff_ids and $layer_json (comma-separated JSON items), writing
# the config and manifest through the caller's blob function; $work holds the temporary files.
write_oci_layout() {
  printf '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[%s]}}' "$diff_ids" > "$work/config.json"
  csize=$(stat -c%s "$work/config.json"); c=$(blob "$work/config.json")
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%d},"layers":[%s]}' "$c" "$csize" "$layer_json" > "$work/manifest.json"
  msize=$(stat -c%s "$work/manifest.json"); m=$(blob "$work/manifest.json")
  printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%d,"annotations":{"org.opencontainers.image.ref.name":"v1"}}]}' "$m" "$msize" > "$layout/index.json"
  echo '{"imageLayoutVersion":"1.0.0"}' > "$layout/oci-layout"
}
