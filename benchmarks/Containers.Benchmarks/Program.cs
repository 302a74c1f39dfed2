using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Filters;
using BenchmarkDotNet.Running;

namespace Containers.Benchmarks;

internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        // Side-by-side modes run once per process, as the tools they are compared with do.
        if (args is ["pull", ..])
        {
            return await PullSideBySide.RunAsync(args).ConfigureAwait(false);
        }

        if (args is ["push", ..])
        {
            return await PushSideBySide.RunAsync(args).ConfigureAwait(false);
        }

        if (args is ["unpack-import", ..])
        {
            return await UnpackSideBySide.ImportAsync(args).ConfigureAwait(false);
        }

        if (args is ["unpack", ..])
        {
            return await UnpackSideBySide.RunAsync(args).ConfigureAwait(false);
        }

        if (args is ["shim-memory", ..])
        {
            return await ShimMemorySideBySide.RunAsync(args).ConfigureAwait(false);
        }

        if (args is ["run-phases", ..])
        {
            return await WarmRunPhases.RunAsync(args).ConfigureAwait(false);
        }

        if (args is ["run-warm", ..])
        {
            return await WarmRunSideBySide.RunAsync(args).ConfigureAwait(false);
        }

        // BenchmarkDotNet builds a boilerplate project per job with a 2-minute limit; on a shared,
        // loaded machine that build alone can take longer.
        ManualConfig config = ManualConfig.Create(DefaultConfig.Instance).WithBuildTimeout(TimeSpan.FromMinutes(15));
        if (!RuntimeStartBenchmarks.CanRun)
        {
            // Starting containers needs root; leave those out visibly rather than fail or post nonsense.
            Console.WriteLine("// RuntimeStartBenchmarks, TaskStartBenchmarks and ContainerRunBenchmarks skipped: they start containers and need root");
            config = config.AddFilter(new SimpleFilter(benchmark => benchmark.Descriptor.Type != typeof(RuntimeStartBenchmarks) && benchmark.Descriptor.Type != typeof(TaskStartBenchmarks) && benchmark.Descriptor.Type != typeof(ContainerRunBenchmarks)));
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
        return 0;
    }
}
