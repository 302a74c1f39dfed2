# Sourced by the side-by-side benchmark scripts (from the repository root): builds the benchmark runner
# into $bench; now (ns), median and write_oci_layout come from bench-image.sh.
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build benchmarks/Containers.Benchmarks -c Release -nologo -clp:ErrorsOnly >/dev/null
bench=benchmarks/Containers.Benchmarks/bin/Release/net10.0/Containers.Benchmarks.dll
. benchmarks/scripts/bench-image.sh
