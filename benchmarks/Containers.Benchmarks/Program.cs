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

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
