using Containers.Events;
using Containers.Lifecycle.Tasks;
using Containers.Tasks;

namespace Containers.Lifecycle.Tests.Tasks;

/// <summary>
/// A shim killed with SIGKILL before it recorded its task's exit: the failure exit is decided once (by the
/// first host that finds the dead shim) and every later host reports the same code and time, so its
/// <see cref="TaskExit"/> is published once across hosts.
/// </summary>
public sealed class DeadShimExitTests
{
    [Test]
    public async Task TheFailureExitOfADeadShimIsDecidedOnceAndPublishedByOneHostOnly()
    {
        using ShimTestBed bed = await ShimTestBed.CreateAsync();
        (string id, string bundle, _) = await bed.BundleAsync("lc-shim-lost", "exec sleep 1000");
        int pid;
        int shimPid;
        // Host A starts the task and goes away (its watcher stops; the shim keeps the task).
        await using (ShimTaskService a = bed.NewService())
        {
            pid = await a.CreateAsync(new TaskCreateRequest(id, bundle));
            _ = await a.StartAsync(id);
            shimPid = bed.ShimPid();
        }

        // The shim dies while no host is there, recording no exit.
        System.Diagnostics.Process.GetProcessById(shimPid).Kill();
        Assert.That(await ShimTestBed.EventuallyAsync(() => !ShimTestBed.IsAlive(shimPid)), Is.True, "the shim died");

        (IReadOnlyList<TaskState> foundByB, List<TaskExit> publishedByB) = await ReconnectAsync(bed);
        await Task.Delay(20); // a later host's "now" would differ from B's
        (IReadOnlyList<TaskState> foundByC, List<TaskExit> publishedByC) = await ReconnectAsync(bed);

        await using ShimTaskService d = bed.NewService();
        ExitStatus waited = await d.WaitAsync(id);
        ExitStatus deleted = await d.DeleteAsync(id);
        ExitStatus b = foundByB.Single().Exit!.Value;
        Assert.Multiple(() =>
        {
            Assert.That(b.IsFailure, Is.True, "B found the failure");
            Assert.That(b.ExitCode, Is.EqualTo(ExitStatus.UnknownExitCode));
            Assert.That(publishedByB.Select(e => (e.ContainerId, e.ExitCode, e.ExitedAt)), Is.EqualTo(new[] { (id, b.ExitCode, b.ExitedAt) }), "B publishes the failure exit once");
            Assert.That(foundByC.Single().Exit?.ExitedAt, Is.EqualTo(b.ExitedAt), "C reports the exit B decided");
            Assert.That(publishedByC, Is.Empty, "C publishes no exit again");
            Assert.That(waited.ExitedAt, Is.EqualTo(b.ExitedAt));
            Assert.That(waited.IsFailure, Is.True);
            Assert.That(deleted.ExitedAt, Is.EqualTo(b.ExitedAt));
        });
        Assert.That(await ShimTestBed.EventuallyAsync(() => !ShimTestBed.IsAlive(pid)), Is.True, "the orphaned container was killed");
        Assert.That(Directory.GetDirectories(bed.Shims), Is.Empty);
        Assert.That(Directory.Exists(Path.Combine(bed.State, "events", "default", id)), Is.False, "the decided exit went with the task");
        // B's claim of the exit (events/default/<id>@exit-<ticks>, named by the decided time) is removed by name with the task.
        Assert.That(Directory.GetFiles(Path.Combine(bed.State, "events", "default"), id + "@*"), Is.Empty, "the exit's marker went with the task");
    }

    /// <summary>A new host (service and bus) reconnects, goes away, and returns what it found and the exits it published.</summary>
    private static async Task<(IReadOnlyList<TaskState> Found, List<TaskExit> Published)> ReconnectAsync(ShimTestBed bed)
    {
        InProcessEventBus events = new();
        using CancellationTokenSource timeout = new(TimeSpan.FromMinutes(1));
        await using IAsyncEnumerator<EventEnvelope> subscription = events.SubscribeAsync(cancellationToken: timeout.Token).GetAsyncEnumerator(timeout.Token);
        Task<bool> first = subscription.MoveNextAsync().AsTask();
        IReadOnlyList<TaskState> found;
        await using (ShimTaskService service = bed.NewService(events: events))
        {
            found = await service.ReconnectAsync();
        }

        // Everything the host published came before this marker (one publish order for all subscribers).
        string marker = "marker-" + Guid.NewGuid().ToString("N");
        await events.PublishAsync("default", new NamespaceCreate(marker, new Dictionary<string, string>()));
        List<TaskExit> exits = [];
        for (bool more = await first; more; more = await subscription.MoveNextAsync())
        {
            if (subscription.Current.Event is NamespaceCreate created && created.Name == marker)
            {
                break;
            }

            if (subscription.Current.Event is TaskExit exit)
            {
                exits.Add(exit);
            }
        }

        return (found, exits);
    }
}
