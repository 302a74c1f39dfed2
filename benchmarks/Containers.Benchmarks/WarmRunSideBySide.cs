using System.Diagnostics;
using System.Globalization;
using Containers.Client;

namespace Containers.Benchmarks;

/// <summary>
/// For benchmarks/scripts/run-compare.sh: <c>run-warm &lt;reference&gt; &lt;runcs&gt; &lt;count&gt;</c> pulls the image once,
/// then times <c>count</c> <c>RunAsync(image, ["/bin/busybox", "true"])</c> calls in this one
/// (warm) process after <c>CONTAINERS_BENCH_WARMUP</c> untimed ones (default 2), and prints each in milliseconds, one per line
/// (with <c>CONTAINERS_BENCH_PAUSE_MS</c>, each after that idle pause); after the warm-up it runs on until the JIT is quiet
/// (<see cref="WarmRuntime.SettleJitAsync"/>, reported on stderr). With a fifth
/// argument, a shim group: every run joins that group, whose shim a sleeping member keeps alive.
/// With <c>CONTAINERS_BENCH_PACED=1</c> each timed run waits for a line on stdin first (and its time is
/// flushed at once), so a script can interleave these runs with other tools' runs; a line <c>ready</c> comes
/// first, when the warm-up is done.
/// </summary>
internal static class WarmRunSideBySide
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length is not (4 or 5))
        {
            await Console.Error.WriteLineAsync("usage: run-warm <reference> <runcs> <count> [shim group]").ConfigureAwait(false);
            return 2;
        }

        int count = int.Parse(args[3], CultureInfo.InvariantCulture);
        string? group = args.Length == 5 ? args[4] : null;
        await using WarmRuntime runtime = await WarmRuntime.StartAsync(args[1], args[2]).ConfigureAwait(false);
        await using GroupKeeper? keeper = group is null ? null : await GroupKeeper.StartAsync(runtime.Client, runtime.Image, group).ConfigureAwait(false);
        bool paced = Environment.GetEnvironmentVariable("CONTAINERS_BENCH_PACED") == "1";
        int warmup = int.TryParse(Environment.GetEnvironmentVariable("CONTAINERS_BENCH_WARMUP"), CultureInfo.InvariantCulture, out int w) && w >= 0 ? w : 2;
        // CONTAINERS_BENCH_PAUSE_MS: an idle pause before each timed run (lone runs after idle, as run-phases times them).
        int pause = int.TryParse(Environment.GetEnvironmentVariable("CONTAINERS_BENCH_PAUSE_MS"), CultureInfo.InvariantCulture, out int p) && p > 0 ? p : 0;
        for (int i = -warmup; i < count; i++)
        {
            if (i == 0)
            {
                (int runs, bool quiet) = await WarmRuntime.SettleJitAsync(() => RunOnceAsync(runtime, group)).ConfigureAwait(false);
                await Console.Error.WriteLineAsync($"jit settle: {runs} runs, {(quiet ? "quiet" : "still compiling at the limit")}, {System.Runtime.JitInfo.GetCompiledMethodCount()} methods compiled").ConfigureAwait(false);
            }

            if (paced && i == 0)
            {
                // Tells the pacing script the warm-up is over, so no other tool's timed run overlaps it.
                Console.WriteLine("ready");
                Console.Out.Flush();
            }

            if (paced && i >= 0 && await Console.In.ReadLineAsync().ConfigureAwait(false) is null)
            {
                return 0;
            }

            if (pause > 0 && i >= 0)
            {
                await Task.Delay(pause).ConfigureAwait(false);
            }

            long start = Stopwatch.GetTimestamp();
            RunResult result = await RunOnceAsync(runtime, group).ConfigureAwait(false);
            double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (result.ExitCode != 0)
            {
                await Console.Error.WriteLineAsync($"run {i}: exit {result.ExitCode}: {result.Stderr}").ConfigureAwait(false);
                return 1;
            }

            if (i >= 0)
            {
                Console.WriteLine(ms.ToString("F1", CultureInfo.InvariantCulture));
                Console.Out.Flush();
            }
        }

        return 0;
    }

    private static Task<RunResult> RunOnceAsync(WarmRuntime runtime, string? group)
        => runtime.Client.RunAsync(runtime.Image, ["/bin/busybox", "true"], new RunOptions { ShimGroup = group });
}
