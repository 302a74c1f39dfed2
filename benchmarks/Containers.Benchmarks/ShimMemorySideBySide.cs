using System.Globalization;
using Containers.Lifecycle.Tasks;
using Containers.Tasks;

namespace Containers.Benchmarks;

/// <summary>
/// <c>shim-memory [N]</c>: the memory of <c>runcs shim</c> per container. Starts N sleeping busybox
/// containers each with its own shim, then N in one shared shim, and reads each shim's
/// /proc/&lt;pid&gt;/smaps_rollup: RSS, PSS and USS (Private_Clean + Private_Dirty), in kB. Prints one line per
/// mode (medians over the per-container shims; the shared shim's totals and totals / N) in the format
/// benchmarks/scripts/shim-memory.sh prints for containerd-shim-runc-v2. Needs root.
/// </summary>
internal static class ShimMemorySideBySide
{
    public static async Task<int> RunAsync(string[] args)
    {
        int count = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10;
        using ShimBenchBed bed = new();
        await using ShimTaskService own = bed.Service("own");
        await using ShimTaskService shared = bed.Service("shared");
        List<(ShimTaskService Service, string Id)> tasks = [];
        try
        {
            for (int i = 0; i < count; i++)
            {
                string id = bed.NextId();
                // A bundle (so a cgroup) per container: deleting one must not kill the others.
                _ = await own.CreateAsync(new TaskCreateRequest(id, bed.Bundle(id, "sleep", "1000")));
                tasks.Add((own, id));
                _ = await own.StartAsync(id);
            }

            byte[] group = ShimBenchBed.GroupOptions("memory");
            for (int i = 0; i < count; i++)
            {
                string id = bed.NextId();
                _ = await shared.CreateAsync(new TaskCreateRequest(id, bed.Bundle(id, "sleep", "1000")) { Options = group });
                tasks.Add((shared, id));
                _ = await shared.StartAsync(id);
            }

            List<Sample> ownShims = [.. ShimPids(Path.Combine(bed.Work, "own")).Select(Sample.Of)];
            Sample sharedShim = ShimPids(Path.Combine(bed.Work, "shared")).Select(Sample.Of).Single();
            Console.WriteLine($"runcs-shim own     containers={count} shims={ownShims.Count} per-container-kB rss={Median(ownShims, s => s.Rss)} pss={Median(ownShims, s => s.Pss)} uss={Median(ownShims, s => s.Uss)} threads={Median(ownShims, s => s.Threads)}");
            Console.WriteLine($"runcs-shim shared  containers={count} shims=1 total-kB rss={sharedShim.Rss} pss={sharedShim.Pss} uss={sharedShim.Uss} per-container-kB rss={sharedShim.Rss / count} pss={sharedShim.Pss / count} uss={sharedShim.Uss / count} threads={sharedShim.Threads}");
        }
        finally
        {
            foreach ((ShimTaskService service, string id) in tasks)
            {
                if ((await service.StateAsync(id)).Status is ProcessStatus.Running)
                {
                    await service.KillAsync(id, 9);
                }

                _ = await service.WaitAsync(id);
                _ = await service.DeleteAsync(id);
            }
        }

        return 0;
    }

    private static IEnumerable<int> ShimPids(string state)
        => Directory.GetDirectories(Path.Combine(state, "shims"))
            .Where(d => new DirectoryInfo(d).LinkTarget is null)
            .Select(d => int.Parse(File.ReadAllText(Path.Combine(d, "shim.pid")), CultureInfo.InvariantCulture));

    private static long Median(List<Sample> samples, Func<Sample, long> value)
    {
        long[] sorted = [.. samples.Select(value).Order()];
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private sealed record Sample(long Rss, long Pss, long Uss, long Threads)
    {
        public static Sample Of(int pid)
        {
            Dictionary<string, long> fields = new(StringComparer.Ordinal);
            foreach (string line in File.ReadAllLines($"/proc/{pid}/smaps_rollup").Skip(1))
            {
                string[] parts = line.Split(':', 2);
                if (parts.Length == 2 && long.TryParse(parts[1].Trim().Split(' ')[0], NumberStyles.None, CultureInfo.InvariantCulture, out long kb))
                {
                    fields[parts[0]] = kb;
                }
            }

            string threads = File.ReadAllLines($"/proc/{pid}/status").Single(l => l.StartsWith("Threads:", StringComparison.Ordinal))["Threads:".Length..].Trim();
            return new Sample(fields["Rss"], fields["Pss"], fields["Private_Clean"] + fields["Private_Dirty"], long.Parse(threads, CultureInfo.InvariantCulture));
        }
    }
}
