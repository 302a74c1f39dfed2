using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Filters;
using BenchmarkDotNet.Running;

namespace Containers.Benchmarks;

internal static class Program
{
    private static void Main(string[] args)
    {
        IConfig config = DefaultConfig.Instance;
        if (!RuntimeStartBenchmarks.CanRun)
        {
            // Starting containers needs root; leave those out visibly rather than fail or post nonsense.
            Console.WriteLine("// RuntimeStartBenchmarks skipped: they start containers and need root");
            config = config.AddFilter(new SimpleFilter(benchmark => benchmark.Descriptor.Type != typeof(RuntimeStartBenchmarks)));
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
    }
}
