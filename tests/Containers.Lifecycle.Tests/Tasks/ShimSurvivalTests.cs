using System.Diagnostics;
using Containers.Lifecycle.Tasks;
using Containers.Oci;
using Containers.Tasks;

namespace Containers.Lifecycle.Tests.Tasks;

/// <summary>
/// A host process creates eleven containers through <see cref="ShimTaskService"/> and is killed with
/// SIGKILL; a new service reconnects to the shims it left: output written meanwhile is in the logs
/// (log-file mode) or waiting in the FIFOs, exits of the absence come with their codes, running
/// containers are attached again (stdin, stdout, terminal).
/// </summary>
public sealed class ShimSurvivalTests
{
    private const string WaitGo = "while [ ! -e /tmp/go ]; do sleep 0.1; done; ";

    [Test]
    public async Task ContainersOutliveAKilledHostAndANewHostReconnects()
    {
        using ShimTestBed bed = await ShimTestBed.CreateAsync();
        // Each init waits for a file the test creates after the host is dead, so what follows happens while no host is there.
        (string Id, string Bundle, string Log)[] tasks =
        [
            await bed.BundleAsync("lc-survive-a", "echo before; " + WaitGo + "echo while-away-a; exec sleep 1000"),
            await bed.BundleAsync("lc-survive-b", WaitGo + "echo while-away-b; exec sleep 1000"),
            await bed.BundleAsync("lc-survive-c", WaitGo + "echo while-away-c; exit 5"),
            await bed.BundleAsync("lc-survive-d", WaitGo + "echo while-away-d; exit 0"),
            await bed.BundleAsync("lc-survive-e", WaitGo + "echo while-away-e >&2; exit 42"),
            await bed.BundleAsync("lc-survive-f", WaitGo + "i=0; while [ $i -lt 2000 ]; do echo line-$i; i=$((i+1)); done; echo while-away-f; exec sleep 1000"),
            await bed.BundleAsync("lc-survive-g", WaitGo + "echo while-away-g; exit 3"),
            await bed.BundleAsync("lc-survive-h", "read l; echo got-$l; " + WaitGo + "echo while-away-h; while read l; do echo got-$l; done; echo eof; exit 7"),
            await bed.BundleAsync("lc-survive-i", "read l; echo got-$l; " + WaitGo + "echo while-away-i; read l; echo got-$l; exit 8", null, SpecOptions.WithTty()),
            await bed.BundleAsync("lc-survive-j", WaitGo + "echo while-away-j; exec sleep 1000"),
            // k runs out of its memory once the new host is there: that host publishes the OOM.
            await bed.BundleAsync("lc-survive-k", WaitGo + "echo while-away-k; while [ ! -e /tmp/go2 ]; do sleep 0.1; done; x=a; while :; do x=$x$x; done",
                null, SpecOptions.WithMemoryLimit(16 << 20)),
        ];
        // h and i are attached through FIFOs (i on a terminal); the others log to files.
        string[] io = new string[tasks.Length];
        for (int t = 0; t < tasks.Length; t++)
        {
            io[t] = tasks[t].Log;
            if (t is 7 or 8)
            {
                string fifoBase = tasks[t].Log;
                _ = bed.Fifo(Path.GetFileName(fifoBase) + ".in");
                _ = bed.Fifo(Path.GetFileName(fifoBase) + ".out");
                io[t] = (t == 7 ? "fifo:" : "tty:") + fifoBase;
            }
        }

        string helper = Path.Combine(AppContext.BaseDirectory, "Containers.Lifecycle.SurvivalHost.dll");
        string ready = Path.Combine(bed.State, "..", "host-ready");
        List<string> arguments = [helper, bed.State, bed.Runcs, ready];
        for (int t = 0; t < tasks.Length; t++)
        {
            arguments.AddRange([tasks[t].Id, tasks[t].Bundle, io[t]]);
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
        for (int t = 0; t < tasks.Length; t++)
        {
            if (t is 7 or 8)
            {
                continue;
            }

            string log = tasks[t].Log;
            string expected = "while-away-" + tasks[t].Id[11];
            Assert.That(await ShimTestBed.EventuallyAsync(() => File.Exists(log) && File.ReadAllText(log).Contains(expected, StringComparison.Ordinal)), Is.True, $"{log} has {expected}");
        }

        Containers.Events.InProcessEventBus events = new();
        using CancellationTokenSource timeout = new(TimeSpan.FromMinutes(2));
        IAsyncEnumerator<Containers.Events.EventEnvelope> subscription = events.SubscribeAsync(cancellationToken: timeout.Token).GetAsyncEnumerator(timeout.Token);
        Task<bool> firstMove = subscription.MoveNextAsync().AsTask();
        await using ShimTaskService service = bed.NewService(events: events);
        // c exited while no host was there: its shim recorded the code.
        Assert.That((await service.WaitAsync(tasks[2].Id)).ExitCode, Is.EqualTo(5));
        IReadOnlyList<TaskState> recovered = await service.ReconnectAsync();
        Assert.That(recovered.Select(s => s.ContainerId), Is.EquivalentTo(tasks.Select(t => t.Id)));
        Dictionary<string, TaskState> byId = recovered.ToDictionary(s => s.ContainerId);
        Dictionary<int, int> exitedWhileAway = new() { [2] = 5, [3] = 0, [4] = 42, [6] = 3 };
        Assert.Multiple(() =>
        {
            for (int t = 0; t < tasks.Length; t++)
            {
                TaskState state = byId[tasks[t].Id];
                if (exitedWhileAway.TryGetValue(t, out int code))
                {
                    Assert.That(state.Status, Is.EqualTo(ProcessStatus.Stopped), tasks[t].Id);
                    Assert.That(state.Exit?.ExitCode, Is.EqualTo(code), tasks[t].Id);
                }
                else
                {
                    Assert.That(state.Status, Is.EqualTo(ProcessStatus.Running), tasks[t].Id);
                }
            }

            Assert.That(File.ReadAllLines(tasks[0].Log), Is.EqualTo(new[] { "before", "while-away-a" }));
            Assert.That(File.ReadAllLines(tasks[5].Log), Is.EqualTo(Enumerable.Range(0, 2000).Select(i => $"line-{i}").Append("while-away-f")), "nothing lost");
            Assert.That(byId[tasks[8].Id].IO.Terminal, Is.True);
        });

        // The exits of the absence were published by this host, once each, with the recorded code and time,
        // before ReconnectAsync returned (so they come before a marker published now).
        bool firstPending = true;
        async Task<bool> NextAsync()
        {
            if (firstPending)
            {
                firstPending = false;
                return await firstMove;
            }

            return await subscription.MoveNextAsync();
        }

        List<Containers.Events.TaskExit> missed = await ExitsBeforeMarkerAsync(events, NextAsync, () => subscription.Current);
        Assert.That(missed.Select(e => (e.ContainerId, e.ExitCode)), Is.EquivalentTo(exitedWhileAway.Select(p => (tasks[p.Key].Id, p.Value))));
        Assert.That(missed.Select(e => e.ExitedAt), Is.EqualTo(missed.Select(e => byId[e.ContainerId].Exit!.Value.ExitedAt)));

        // A later host (here beside this one) finds the same stopped tasks and publishes none of their exits again.
        Containers.Events.InProcessEventBus laterEvents = new();
        await using (IAsyncEnumerator<Containers.Events.EventEnvelope> later = laterEvents.SubscribeAsync(cancellationToken: timeout.Token).GetAsyncEnumerator(timeout.Token))
        {
            await using (ShimTaskService laterService = bed.NewService(events: laterEvents))
            {
                IReadOnlyList<TaskState> again = await laterService.ReconnectAsync();
                Assert.That(again.Count(s => s.Status == ProcessStatus.Stopped), Is.EqualTo(exitedWhileAway.Count));
            }

            Assert.That(await ExitsBeforeMarkerAsync(laterEvents, () => later.MoveNextAsync().AsTask(), () => later.Current), Is.Empty, "a later host publishes no exit twice");
        }

        // Reattach to h's FIFOs: what it wrote while away waited in the FIFO; stdin goes on until CloseIO.
        using (FifoReader h = new(byId[tasks[7].Id].IO.Stdout!))
        {
            Assert.That(await h.WaitForAsync("while-away-h\n"), Is.True, h.Text);
            FifoReader.Write(byId[tasks[7].Id].IO.Stdin!, "two\n");
            Assert.That(await h.WaitForAsync("got-two\n"), Is.True, h.Text);
            await service.CloseIOAsync(tasks[7].Id);
            Assert.That((await service.WaitAsync(tasks[7].Id)).ExitCode, Is.EqualTo(7));
            Assert.That(await h.WaitForAsync("eof\n"), Is.True, h.Text);
            Assert.That(h.Text, Is.EqualTo("while-away-h\ngot-two\neof\n"));
        }

        // Reattach to i's terminal.
        using (FifoReader i = new(byId[tasks[8].Id].IO.Stdout!))
        {
            Assert.That(await i.WaitForAsync("while-away-i\r\n"), Is.True, i.Text);
            await service.ResizePtyAsync(tasks[8].Id, null, 100, 30);
            FifoReader.Write(byId[tasks[8].Id].IO.Stdin!, "two\n");
            Assert.That((await service.WaitAsync(tasks[8].Id)).ExitCode, Is.EqualTo(8));
            Assert.That(await i.WaitForAsync("got-two\r\n"), Is.True, i.Text);
        }

        // The reconnected service watches k for OOMs.
        await File.WriteAllTextAsync(Path.Combine(tasks[10].Bundle, "rootfs", "tmp", "go2"), "");
        Assert.That((await service.WaitAsync(tasks[10].Id)).ExitCode, Is.EqualTo(137));
        bool more = await NextAsync();
        while (more && subscription.Current.Event is not Containers.Events.TaskOom)
        {
            more = await subscription.MoveNextAsync();
        }

        Assert.That(more && subscription.Current.Event is Containers.Events.TaskOom { ContainerId: var oomId } && oomId == tasks[10].Id, Is.True, "TaskOom of k");
        await subscription.DisposeAsync();

        // The reconnected service drives the running ones as its own.
        foreach (int t in new[] { 0, 1, 5, 9 })
        {
            await service.KillAsync(tasks[t].Id, 9);
            Assert.That((await service.WaitAsync(tasks[t].Id)).ExitCode, Is.EqualTo(137));
        }

        foreach ((string id, _, _) in tasks)
        {
            _ = await service.DeleteAsync(id);
        }

        Assert.That(await ShimTestBed.EventuallyAsync(() => Directory.GetDirectories(bed.Shims).Length == 0), Is.True);
    }

    /// <summary>Publishes a marker on <paramref name="bus"/> and returns the task exits delivered before it (one publish order for all).</summary>
    private static async Task<List<Containers.Events.TaskExit>> ExitsBeforeMarkerAsync(Containers.Events.InProcessEventBus bus, Func<Task<bool>> next, Func<Containers.Events.EventEnvelope> current)
    {
        string marker = "marker-" + Guid.NewGuid().ToString("N");
        await bus.PublishAsync("survival", new Containers.Events.NamespaceCreate(marker, new Dictionary<string, string>()));
        List<Containers.Events.TaskExit> exits = [];
        while (await next())
        {
            Containers.Events.ContainerEvent e = current().Event;
            if (e is Containers.Events.NamespaceCreate created && created.Name == marker)
            {
                break;
            }

            if (e is Containers.Events.TaskExit exit)
            {
                exits.Add(exit);
            }
        }

        return exits;
    }
}
