using Containers.Client;
using Containers.DependencyInjection;
using Containers.Images;
using Microsoft.Extensions.DependencyInjection;

namespace Containers.Benchmarks;

/// <summary>
/// A warm host for the container-run benchmarks: <c>AddContainerRuntime</c> over a temporary root and state,
/// runcs as shim, and an image pulled and unpacked once. The image comes from a registry named by
/// <c>CONTAINERS_BENCH_IMAGE</c> (benchmarks/scripts/run-compare.sh starts Debian's docker-registry and
/// pushes a busybox image there). <c>CONTAINERS_BENCH_WARM_SHIMS=N</c> keeps N idle warm shims.
/// </summary>
internal sealed class WarmRuntime : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly string _work;

    /// <summary>The cgroup parent of every container (the namespace), in each hierarchy where this host made it.</summary>
    private readonly string[] _madeCgroupParents;

    private WarmRuntime(ServiceProvider services, string work, ContainerClient client, Image image, string[] madeCgroupParents)
    {
        _madeCgroupParents = madeCgroupParents;
        _services = services;
        _work = work;
        Client = client;
        Image = image;
    }

    public ContainerClient Client { get; }

    public IServiceProvider Services => _services;

    public string State => StateDirectory(_work);

    public Image Image { get; }

    public static string ImageReference => Environment.GetEnvironmentVariable("CONTAINERS_BENCH_IMAGE") is { Length: > 0 } reference ? reference
        : throw new InvalidOperationException("set CONTAINERS_BENCH_IMAGE to a busybox image in a registry (benchmarks/scripts/run-compare.sh does)");

    /// <summary>Builds the services in a fresh temporary directory (state path kept short for the shims' socket paths) and pulls the image.</summary>
    public static async Task<WarmRuntime> StartAsync(string reference, string runcs)
    {
        string work = Directory.CreateTempSubdirectory("crb-").FullName;
        string[] madeCgroupParents = [.. Directory.GetDirectories("/sys/fs/cgroup")
            .Where(h => File.Exists(Path.Combine(h, "cgroup.procs")))
            .Select(h => Path.Combine(h, "bench"))
            .Where(p => !Directory.Exists(p))];
        ServiceProvider services = new ServiceCollection().AddContainerRuntime(o =>
        {
            o.Root = Path.Combine(work, "root");
            o.State = StateDirectory(work);
            o.RuncsPath = runcs;
            o.Namespace = "bench";
            // CONTAINERS_BENCH_WARM_SHIMS=N: keep N idle warm shims (a task create skips the shim's start).
            o.WarmShims = int.TryParse(Environment.GetEnvironmentVariable("CONTAINERS_BENCH_WARM_SHIMS"), System.Globalization.CultureInfo.InvariantCulture, out int warm) ? warm : 0;
            // CONTAINERS_BENCH_SPARE_SHIM=0: no spare shim started ahead (each create starts its shim, as containerd's does).
            o.SpareShim = Environment.GetEnvironmentVariable("CONTAINERS_BENCH_SPARE_SHIM") != "0";
        }).BuildServiceProvider();
        ContainerClient client = services.GetRequiredService<ContainerClient>();
        Image image = await client.PullAsync(reference).ConfigureAwait(false);
        return new WarmRuntime(services, work, client, image, madeCgroupParents);
    }

    /// <summary>
    /// The state directory: under the work directory, or below <c>CONTAINERS_BENCH_STATE_PARENT</c> (a tmpfs, as
    /// /run is on most hosts; run-compare.sh and run-phases runs name one to measure that case).
    /// </summary>
    private static string StateDirectory(string work)
        => Environment.GetEnvironmentVariable("CONTAINERS_BENCH_STATE_PARENT") is { Length: > 0 } parent
            ? Path.Combine(parent, Path.GetFileName(work))
            : Path.Combine(work, "state");

    /// <summary>
    /// Runs <paramref name="run"/> until the JIT is done with the run path, so timed runs are not at tier 0 or instrumented
    /// code beside a busy background compiler (session 19 measured ~17 ms of compile time per lone run after 200 warm-up runs
    /// back to back, and still 900 methods promoted during 30 timed lone runs): until <c>quiet</c> runs in a row compile no
    /// method, each after a 120 ms pause — longer than tiering's 100 ms call-counting delay, which runs back to back keep
    /// extending — or for at most <paramref name="limit"/>. <c>CONTAINERS_BENCH_JIT_SETTLE=0</c> skips it.
    /// </summary>
    /// <returns>The runs it took and whether the JIT went quiet within the limit.</returns>
    public static async Task<(int Runs, bool Quiet)> SettleJitAsync(Func<Task> run, int quiet = 20, TimeSpan? limit = null)
    {
        if (Environment.GetEnvironmentVariable("CONTAINERS_BENCH_JIT_SETTLE") == "0")
        {
            return (0, false);
        }

        long deadline = Environment.TickCount64 + (long)(limit ?? TimeSpan.FromSeconds(90)).TotalMilliseconds;
        int runs = 0;
        int still = 0;
        while (still < quiet && Environment.TickCount64 < deadline)
        {
            long compiled = System.Runtime.JitInfo.GetCompiledMethodCount();
            await Task.Delay(120).ConfigureAwait(false);
            await run().ConfigureAwait(false);
            runs++;
            still = System.Runtime.JitInfo.GetCompiledMethodCount() == compiled ? still + 1 : 0;
        }

        return (runs, still >= quiet);
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync().ConfigureAwait(false);
        // The image's snapshots are overlay lower directories, not mounts: the tree can go.
        Directory.Delete(_work, recursive: true);
        if (Directory.Exists(State))
        {
            Directory.Delete(State, recursive: true);
        }

        // Empty once every container is deleted; another host of the same namespace still running keeps it.
        foreach (string parent in _madeCgroupParents)
        {
            try
            {
                Directory.Delete(parent);
            }
            catch (IOException)
            {
                // Absent, or still in use.
            }
        }
    }
}
