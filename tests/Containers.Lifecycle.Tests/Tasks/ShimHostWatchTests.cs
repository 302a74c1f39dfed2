using System.Diagnostics;
using Containers.Lifecycle.Tasks;
using Containers.Linux.Supervision;

namespace Containers.Lifecycle.Tests.Tasks;

/// <summary>
/// <c>runcs shim --host-pid</c> on a real shim started with an idle exit (a warm or spare shim): once the process that
/// started it has ended, the shim exits as soon as it has no task, not after its idle time (five minutes here, longer
/// than these tests wait). A <c>sleep</c> process stands in for the host.
/// </summary>
public sealed class ShimHostWatchTests
{
    [Test]
    public async Task AnIdleShimExitsWhenItsHostEnds()
    {
        using CancellationTokenSource timeout = new(TimeSpan.FromMinutes(2));
        using ShimTestBed bed = await ShimTestBed.CreateAsync();
        using Process host = Process.Start("sleep", "600");
        (string shim, int shimPid) = await StartWatchingAsync(bed, host, "phostwatch", timeout.Token);
        await Task.Delay(500);
        bool aliveWithHost = ShimTestBed.IsAlive(shimPid);

        host.Kill();
        await host.WaitForExitAsync(timeout.Token);
        bool gone = await ShimTestBed.EventuallyAsync(() => !ShimTestBed.IsAlive(shimPid) && !Directory.Exists(shim));

        Assert.Multiple(() =>
        {
            Assert.That(aliveWithHost, Is.True, "the shim waits while its host lives");
            Assert.That(gone, Is.True, "the shim exited with its host gone and removed its directory");
        });
    }

    [Test]
    public async Task AShimWithATaskOutlivesItsHostUntilTheTaskIsDeleted()
    {
        using CancellationTokenSource timeout = new(TimeSpan.FromMinutes(2));
        using ShimTestBed bed = await ShimTestBed.CreateAsync();
        using Process host = Process.Start("sleep", "600");
        (string shim, int shimPid) = await StartWatchingAsync(bed, host, "phostwatchtask", timeout.Token);
        (string id, string bundle, string log) = await bed.BundleAsync("lc-hw", "sleep 600");
        ShimClient client = new(shim);
        _ = await client.CallAsync(new ShimRequest
        {
            Op = ShimOps.Create, Id = id, Bundle = bundle, Namespace = "default", Stdout = "file://" + log, Start = true,
        }, timeout.Token);

        host.Kill();
        await host.WaitForExitAsync(timeout.Token);
        await Task.Delay(1000);
        bool keptForTask = ShimTestBed.IsAlive(shimPid);
        ShimResponse state = await client.CallAsync(new ShimRequest { Op = ShimOps.State, Id = id }, timeout.Token);
        _ = await client.CallAsync(new ShimRequest { Op = ShimOps.Kill, Id = id, Signal = 9 }, timeout.Token);
        _ = await client.CallAsync(new ShimRequest { Op = ShimOps.Wait, Id = id }, timeout.Token);
        ShimResponse deleted = await client.CallAsync(new ShimRequest { Op = ShimOps.Delete, Id = id }, timeout.Token);
        bool gone = await ShimTestBed.EventuallyAsync(() => !ShimTestBed.IsAlive(shimPid) && !Directory.Exists(shim));

        Assert.Multiple(() =>
        {
            Assert.That(keptForTask, Is.True, "a shim with a task outlives its host");
            Assert.That(state.Status, Is.EqualTo("running"));
            Assert.That(deleted.Exiting, Is.True, "the delete's answer says the shim exits (its host is gone)");
            Assert.That(gone, Is.True, "the shim exited after the delete of its last task");
        });
    }

    /// <summary>A shim with a five-minute idle exit that watches <paramref name="host"/>; its directory and pid.</summary>
    private static async Task<(string Shim, int Pid)> StartWatchingAsync(ShimTestBed bed, Process host, string name, CancellationToken cancellationToken)
    {
        string shim = Path.Combine(bed.Shims, name);
        await ShimLauncher.StartAsync(bed.Runcs, shim, 300_000, cancellationToken, hostPid: host.Id);
        return (shim, bed.ShimPid());
    }
}
