using System.Diagnostics;
using Containers.Lifecycle.Tasks;
using Containers.Tasks;

namespace Containers.Lifecycle.Tests.Tasks;

/// <summary>
/// A host process creates three containers through <see cref="ShimTaskService"/> and is killed with
/// SIGKILL; a new service reconnects to the shims it left.
/// </summary>
public sealed class ShimSurvivalTests
{
    [Test]
    public async Task ContainersOutliveAKilledHostAndANewHostReconnects()
    {
        using ShimTestBed bed = await ShimTestBed.CreateAsync();
        // Each init waits for a file the test creates after the host is dead, so what follows happens while no host is there.
        (string Id, string Bundle, string Log)[] tasks =
        [
            await bed.BundleAsync("lc-survive-a", "echo before; while [ ! -e /tmp/go ]; do sleep 0.1; done; echo while-away-a; exec sleep 1000"),
            await bed.BundleAsync("lc-survive-b", "while [ ! -e /tmp/go ]; do sleep 0.1; done; echo while-away-b; exec sleep 1000"),
            await bed.BundleAsync("lc-survive-c", "while [ ! -e /tmp/go ]; do sleep 0.1; done; echo while-away-c; exit 5"),
        ];
        string helper = Path.Combine(AppContext.BaseDirectory, "Containers.Lifecycle.SurvivalHost.dll");
        string ready = Path.Combine(bed.State, "..", "host-ready");
        List<string> arguments = [helper, bed.State, bed.Runcs, ready];
        foreach ((string id, string bundle, string log) in tasks)
        {
            arguments.AddRange([id, bundle, log]);
        }

        using (Process host = Process.Start(new ProcessStartInfo("dotnet", arguments))!)
        {
            Assert.That(await ShimTestBed.EventuallyAsync(() => File.Exists(ready) || host.HasExited), Is.True, "the host started its tasks");
            Assert.That(host.HasExited, Is.False, "the host failed");
            host.Kill(); // SIGKILL
            await host.WaitForExitAsync();
        }

        foreach ((_, string bundle, _) in tasks)
        {
            await File.WriteAllTextAsync(Path.Combine(bundle, "rootfs", "tmp", "go"), "");
        }

        // The output written while no host existed reaches the logs through the shims.
        foreach ((string id, _, string log) in tasks)
        {
            string expected = "while-away-" + id[11];
            Assert.That(await ShimTestBed.EventuallyAsync(() => File.Exists(log) && File.ReadAllText(log).Contains(expected, StringComparison.Ordinal)), Is.True, $"{log} has {expected}");
        }

        await using ShimTaskService service = bed.NewService();
        // c exited while no host was there: its shim recorded the code.
        Assert.That((await service.WaitAsync(tasks[2].Id)).ExitCode, Is.EqualTo(5));
        IReadOnlyList<TaskState> recovered = await service.ReconnectAsync();
        Assert.That(recovered.Select(s => s.ContainerId), Is.EquivalentTo(tasks.Select(t => t.Id)));
        Dictionary<string, TaskState> byId = recovered.ToDictionary(s => s.ContainerId);
        Assert.Multiple(() =>
        {
            Assert.That(byId[tasks[0].Id].Status, Is.EqualTo(ProcessStatus.Running));
            Assert.That(byId[tasks[1].Id].Status, Is.EqualTo(ProcessStatus.Running));
            Assert.That(byId[tasks[2].Id].Status, Is.EqualTo(ProcessStatus.Stopped));
            Assert.That(byId[tasks[2].Id].Exit?.ExitCode, Is.EqualTo(5));
            Assert.That(File.ReadAllLines(tasks[0].Log), Is.EqualTo(new[] { "before", "while-away-a" }));
        });

        // The reconnected service drives them as its own.
        foreach ((string id, _, _) in tasks.Take(2))
        {
            await service.KillAsync(id, 9);
            Assert.That((await service.WaitAsync(id)).ExitCode, Is.EqualTo(137));
        }

        foreach ((string id, _, _) in tasks)
        {
            _ = await service.DeleteAsync(id);
        }

        Assert.That(await ShimTestBed.EventuallyAsync(() => Directory.GetDirectories(bed.Shims).Length == 0), Is.True);
    }
}
