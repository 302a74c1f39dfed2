using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Containers.Client;

namespace Containers.Benchmarks;

/// <summary>
/// <c>ContainerClient.RunAsync</c> of <c>/bin/busybox true</c> from a pulled image in a warm host: create
/// the container (snapshot + spec), start a runcs shim, create and start the task, wait, delete task,
/// shim, snapshot and record — one shim per container (<see cref="WarmShims"/> 0) or a warm shim from the pool
/// (1: the previous run's shim takes the task, no shim start). Needs root and
/// CONTAINERS_BENCH_IMAGE (see <see cref="WarmRuntime"/>); RUNCS names a published runcs.
/// Run: benchmarks/scripts/run-compare.sh sets both; or
/// CONTAINERS_BENCH_IMAGE=… dotnet run -c Release --project benchmarks/Containers.Benchmarks -- --filter '*ContainerRun*'
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 3, iterationCount: 20, invocationCount: 1)]
[MedianColumn]
public class ContainerRunBenchmarks
{
    private WarmRuntime? _runtime;

    /// <summary><c>ContainerRuntimeOptions.WarmShims</c>: 0 starts a shim per container, 1 keeps one warm shim.</summary>
    [Params(0, 1)]
    public int WarmShims { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        Environment.SetEnvironmentVariable("CONTAINERS_BENCH_WARM_SHIMS", WarmShims.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (!RuntimeStartBenchmarks.CanRun)
        {
            throw new InvalidOperationException("ContainerRunBenchmarks need root");
        }

        _runtime = WarmRuntime.StartAsync(WarmRuntime.ImageReference, RuntimeStartBenchmarks.FindOrPublishRuncs()).GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup() => _runtime?.DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>One container, run to its end and removed; a non-zero exit fails the run, so a broken path cannot post a time.</summary>
    [Benchmark]
    public async Task RunTrue()
    {
        RunResult result = await _runtime!.Client.RunAsync(_runtime.Image, ["/bin/busybox", "true"]).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"true exited with {result.ExitCode}: {result.Stderr}");
        }
    }
}
