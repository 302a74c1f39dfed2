using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Containers.Lifecycle.Tasks;

namespace Containers.Benchmarks;

/// <summary>
/// Create → start → wait → delete of a busybox container running <c>/bin/true</c> through
/// <see cref="ShimTaskService"/>, as an embedding host sees it: a shim per container with runcs's engine
/// in the shim (the default), a shim per container driving runcs through its command line (what the
/// shim did before it had the in-process driver), and a warm shared shim (a group whose shim is kept
/// alive by one created task) with either driver. Needs root; run:
/// sudo dotnet run -c Release --project benchmarks/Containers.Benchmarks -- --filter '*TaskStart*'
/// (RUNCS=/path/to/runcs uses a published binary).
/// </summary>
// In-process toolchain: the host is this process, as in an application; one container per invocation.
[Config(typeof(Config))]
[MedianColumn]
public class TaskStartBenchmarks
{
    private const string Group = "bench";
    private ShimBenchBed? _bed;
    private ShimTaskService? _own;
    private ShimTaskService? _cli;
    private ShimTaskService? _shared;
    private ShimTaskService? _sharedCli;
    private string _bundle = string.Empty;
    private string _keeper = string.Empty;
    private string _cliKeeper = string.Empty;
    private readonly byte[] _groupOptions = ShimBenchBed.GroupOptions(Group);

    [GlobalSetup]
    public void Setup()
    {
        _bed = new ShimBenchBed();
        _bundle = _bed.Bundle("true", "/bin/true");
        _own = _bed.Service("own");
        _cli = _bed.Service("cli", _bed.Runcs);
        _shared = _bed.Service("shared");
        // A created, never started task keeps the group's shim alive between iterations (a shim exits
        // with its last task): the warm shared shim an application running many short jobs has.
        _keeper = _bed.NextId();
        _ = _shared.CreateAsync(new Containers.Tasks.TaskCreateRequest(_keeper, _bed.Bundle("keeper", "true")) { Options = _groupOptions }).AsTask().GetAwaiter().GetResult();
        _sharedCli = _bed.Service("shared-cli", _bed.Runcs);
        _cliKeeper = _bed.NextId();
        _ = _sharedCli.CreateAsync(new Containers.Tasks.TaskCreateRequest(_cliKeeper, _bed.Bundle("cli-keeper", "true")) { Options = _groupOptions }).AsTask().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        if (_shared is not null && _keeper.Length > 0)
        {
            _ = _shared.DeleteAsync(_keeper).AsTask().GetAwaiter().GetResult();
        }

        if (_sharedCli is not null && _cliKeeper.Length > 0)
        {
            _ = _sharedCli.DeleteAsync(_cliKeeper).AsTask().GetAwaiter().GetResult();
        }

        foreach (ShimTaskService? service in new[] { _own, _cli, _shared, _sharedCli })
        {
            service?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        _bed?.Dispose();
    }

    /// <summary>A shim per container; the shim clones the container itself (runcs engine in-process).</summary>
    [Benchmark(Baseline = true)]
    public Task OwnShimInProcess() => ShimBenchBed.RunOnceAsync(_own!, _bed!.NextId(), _bundle);

    /// <summary>A shim per container that runs <c>runcs create/start/delete</c> processes (the CLI driver).</summary>
    [Benchmark]
    public Task OwnShimCli() => ShimBenchBed.RunOnceAsync(_cli!, _bed!.NextId(), _bundle);

    /// <summary>The group's warm shared shim, runcs engine in-process.</summary>
    [Benchmark]
    public Task SharedShimInProcess() => ShimBenchBed.RunOnceAsync(_shared!, _bed!.NextId(), _bundle, _groupOptions);

    /// <summary>The group's warm shared shim driving runcs through its command line: the driver's share of the time.</summary>
    [Benchmark]
    public Task SharedShimCli() => ShimBenchBed.RunOnceAsync(_sharedCli!, _bed!.NextId(), _bundle, _groupOptions);

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            _ = AddJob(Job.Default
                .WithToolchain(InProcessEmitToolchain.Instance)
                .WithStrategy(RunStrategy.Monitoring)
                .WithLaunchCount(1)
                .WithWarmupCount(3)
                .WithIterationCount(30)
                .WithInvocationCount(1)
                .WithUnrollFactor(1));
        }
    }
}
