using Containers.Lifecycle.Tasks;
using Containers.Linux.Supervision;

namespace Containers.Lifecycle.Tests.Tasks;

/// <summary>
/// <see cref="ShimRequest.ExitWithTask"/> on a real <c>runcs shim</c> started with an idle exit (a spare shim): such a
/// shim exits once its task is deleted, and says so in the delete's answer; without the field it stays for the next task.
/// </summary>
public sealed class ShimExitWithTaskTests
{
    [TestCase(true)]
    [TestCase(false)]
    public async Task AnIdleExitShimExitsAfterTheDeleteOnlyWhenItsTaskAskedFor(bool exitWithTask)
    {
        using CancellationTokenSource timeout = new(TimeSpan.FromMinutes(2));
        using ShimTestBed bed = await ShimTestBed.CreateAsync();
        string shim = Path.Combine(bed.Shims, "pexitwithtask");
        await ShimLauncher.StartAsync(bed.Runcs, shim, 300_000, timeout.Token);
        int shimPid = bed.ShimPid();
        (string id, string bundle, string log) = await bed.BundleAsync("lc-ewt", "exit 4");
        ShimClient client = new(shim);

        ShimResponse created = await client.CallAsync(new ShimRequest
        {
            Op = ShimOps.Create, Id = id, Bundle = bundle, Namespace = "default", Stdout = "file://" + log, Start = true, ExitWithTask = exitWithTask,
        }, timeout.Token);
        ShimResponse waited = await client.CallAsync(new ShimRequest { Op = ShimOps.Wait, Id = id }, timeout.Token);
        ShimResponse deleted = await client.CallAsync(new ShimRequest { Op = ShimOps.Delete, Id = id }, timeout.Token);
        bool gone = exitWithTask
            ? await ShimTestBed.EventuallyAsync(() => !ShimTestBed.IsAlive(shimPid) && !Directory.Exists(shim))
            : await GoneWithinAsync(shimPid, shim, TimeSpan.FromSeconds(2));

        Assert.Multiple(() =>
        {
            Assert.That(created.Status, Is.EqualTo("running").Or.EqualTo("stopped"));
            Assert.That(waited.Exit?.ExitCode, Is.EqualTo(4));
            Assert.That(deleted.Exit?.ExitCode, Is.EqualTo(4));
            Assert.That(deleted.Exiting, Is.EqualTo(exitWithTask), "the delete's answer says whether the shim exits");
        });
        if (exitWithTask)
        {
            Assert.That(gone, Is.True, "the shim exited with its task and removed its directory");
            return;
        }

        Assert.That(gone, Is.False, "the shim waits for another task (its idle exit is minutes away)");
        _ = await client.CallAsync(new ShimRequest { Op = ShimOps.Shutdown }, timeout.Token);
        Assert.That(await ShimTestBed.EventuallyAsync(() => !ShimTestBed.IsAlive(shimPid) && !Directory.Exists(shim)), Is.True, "shut down");
    }

    /// <summary>Whether the shim exits (and its directory goes) within <paramref name="time"/>.</summary>
    private static async Task<bool> GoneWithinAsync(int pid, string directory, TimeSpan time)
    {
        long end = Environment.TickCount64 + (long)time.TotalMilliseconds;
        while (Environment.TickCount64 < end)
        {
            if (!ShimTestBed.IsAlive(pid) && !Directory.Exists(directory))
            {
                return true;
            }

            await Task.Delay(50);
        }

        return false;
    }
}
