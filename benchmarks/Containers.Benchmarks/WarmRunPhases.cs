using System.Diagnostics;
using System.Globalization;
using Containers.Client;
using Containers.Snapshots;
using Containers.Tasks;
using Containers.Snapshots.Mounting;
using Containers.Unpack;
using Microsoft.Extensions.DependencyInjection;
using Mount = Containers.Mounts.Mount;

namespace Containers.Benchmarks;

/// <summary>
/// Where a warm <c>RunAsync</c> spends its time: <c>run-phases &lt;reference&gt; &lt;runcs&gt; &lt;count&gt; [shim group]</c>
/// runs <c>/bin/busybox true</c> <c>count</c> times (after two untimed runs) through the steps RunAsync
/// itself takes (create container, new task, start, wait with the output drained, delete task, delete
/// container), timing each, and, separately in the same loop, the sub-steps of the create (unpack
/// check, snapshot prepare, the spec's rootfs mount and unmount, snapshot remove). Prints the median
/// of each phase in milliseconds.
/// </summary>
internal static class WarmRunPhases
{
    private static readonly string[] Phases =
    [
        "total (RunAsync steps)", "create container", "new task (bundle, FIFOs, shim create)", "start", "wait + output drain",
        "delete task (shim delete, unmount)", "delete container (record, snapshot)",
        "  sub: unpack check", "  sub: snapshot prepare", "  sub: spec rootfs mount+unmount", "  sub: snapshot remove", "  sub: 4 KiB file write+fsync+rename in state",
    ];

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length is not (4 or 5))
        {
            await Console.Error.WriteLineAsync("usage: run-phases <reference> <runcs> <count> [shim group]").ConfigureAwait(false);
            return 2;
        }

        int count = int.Parse(args[3], CultureInfo.InvariantCulture);
        string? group = args.Length == 5 ? args[4] : null;
        await using WarmRuntime runtime = await WarmRuntime.StartAsync(args[1], args[2]).ConfigureAwait(false);
        Unpacker unpacker = runtime.Services.GetRequiredService<Unpacker>();
        ISnapshotter snapshotter = runtime.Client.Snapshotter;
        await using GroupKeeper? keeper = group is null ? null : await GroupKeeper.StartAsync(runtime.Client, runtime.Image, group).ConfigureAwait(false);
        List<double>[] times = [.. Phases.Select(_ => new List<double>())];
        // CONTAINERS_BENCH_PAUSE_MS: an idle pause before each run, so the phases are timed as a lone run
        // after idle (cold caches, sleeping threads) rather than back to back.
        int pause = int.TryParse(Environment.GetEnvironmentVariable("CONTAINERS_BENCH_PAUSE_MS"), CultureInfo.InvariantCulture, out int ms) && ms > 0 ? ms : 0;
        for (int i = -2; i < count; i++)
        {
            if (pause > 0)
            {
                await Task.Delay(pause).ConfigureAwait(false);
            }

            double[] t = new double[Phases.Length];
            long start = Stopwatch.GetTimestamp();
            long mark = start;
            double Lap()
            {
                long now = Stopwatch.GetTimestamp();
                double ms = Stopwatch.GetElapsedTime(mark, now).TotalMilliseconds;
                mark = now;
                return ms;
            }

            string id = "ph-" + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray(), 0, 6);
            RunOptions options = new() { ShimGroup = group, Args = ["/bin/busybox", "true"] };
            Container container = await runtime.Client.CreateContainerAsync(id, runtime.Image, options).ConfigureAwait(false);
            t[1] = Lap();
            using MemoryStream stdout = new();
            ContainerTask task = await container.NewTaskAsync(new ProcessIO { Stdout = stdout, Stderr = stdout }).ConfigureAwait(false);
            t[2] = Lap();
            _ = await task.StartAsync().ConfigureAwait(false);
            t[3] = Lap();
            ExitStatus status = await task.WaitAsync().ConfigureAwait(false);
            t[4] = Lap();
            _ = await task.DeleteAsync().ConfigureAwait(false);
            t[5] = Lap();
            await container.DeleteAsync().ConfigureAwait(false);
            t[6] = Lap();
            t[0] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (status.ExitCode != 0)
            {
                await Console.Error.WriteLineAsync($"run {i}: exit {status.ExitCode}").ConfigureAwait(false);
                return 1;
            }

            UnpackResult unpacked = await unpacker.UnpackAsync(runtime.Image, null, null, CancellationToken.None).ConfigureAwait(false);
            t[7] = Lap();
            string key = "bench/" + id + "-sub";
            IReadOnlyList<Mount> mounts = await snapshotter.PrepareAsync(key, unpacked.TopChainId.ToString(), null, CancellationToken.None).ConfigureAwait(false);
            t[8] = Lap();
            string view = Directory.CreateTempSubdirectory("crb-view-").FullName;
            MountHelper.MountAll(mounts, view);
            MountHelper.Unmount(view);
            Directory.Delete(view);
            t[9] = Lap();
            await snapshotter.RemoveAsync(key, CancellationToken.None).ConfigureAwait(false);
            t[10] = Lap();
            string file = Path.Combine(runtime.State, id + ".json");
            using (FileStream stream = new(file + ".tmp", FileMode.CreateNew, FileAccess.Write))
            {
                stream.Write(new byte[4096]);
                stream.Flush(flushToDisk: true);
            }

            File.Move(file + ".tmp", file);
            File.Delete(file);
            t[11] = Lap();
            if (i >= 0)
            {
                for (int p = 0; p < t.Length; p++)
                {
                    times[p].Add(t[p]);
                }
            }
        }

        Console.WriteLine($"median of {count} warm runs{(pause > 0 ? $" each after a {pause} ms pause" : "")}{(group is null ? ", one shim per container" : $", shim group {group} kept alive by a sleeping member")}, load {File.ReadAllText("/proc/loadavg").Trim()}:");
        for (int p = 0; p < Phases.Length; p++)
        {
            List<double> sorted = [.. times[p].Order()];
            double median = sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
            Console.WriteLine($"{Phases[p],-42} {median,8:F1} ms");
        }

        return 0;
    }
}
