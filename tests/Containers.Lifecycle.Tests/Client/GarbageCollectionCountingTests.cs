using System.Globalization;
using Containers.Client;
using Containers.Events;
using Containers.GarbageCollection;
using Containers.Images;
using Containers.Lifecycle.Tests.Events;
using Containers.Metadata;
using Microsoft.Extensions.DependencyInjection;

namespace Containers.Lifecycle.Tests.Client;

/// <summary>
/// What the GC scheduler of <c>AddContainerRuntime</c> counts as deletions: one per container delete (not one more
/// for its rootfs's <c>/snapshot/remove</c>), none for what the collector removes itself, whose expired-image
/// deletes it publishes as containerd 2.x does (real registry, content store, overlayfs, runcs shims not needed).
/// </summary>
[NonParallelizable]
public sealed class GarbageCollectionCountingTests : FacadeFixture
{
    [Test]
    public async Task AContainerDeleteIsOneDeletion()
    {
        // DeletionThreshold 2: a collection starts at the second counted deletion.
        await using RunningScheduler gc = await RunningScheduler.StartAsync(Bed, deletionThreshold: 2);
        (ContainerClient client, GarbageCollectionScheduler scheduler) = (gc.Client, gc.Scheduler);
        Image image = await client.PullAsync(Bed.Reference);
        Container first = await client.CreateContainerAsync("count-1", image);
        Container second = await client.CreateContainerAsync("count-2", image);
        _ = await scheduler.ScheduleAndWaitAsync();
        var collected = new TaskCompletionSource<GarbageCollectionResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        scheduler.Collected += (_, result) => collected.TrySetResult(result);
        await using EventRecorder recorder = new(client.Events, "topic==/snapshot/remove");

        await first.DeleteAsync();
        await Task.Delay(TimeSpan.FromSeconds(2));
        bool ranAfterOne = collected.Task.IsCompleted;
        await second.DeleteAsync();
        GarbageCollectionResult afterTwo = await collected.Task.WaitAsync(TimeSpan.FromMinutes(1));
        IReadOnlyList<EventEnvelope> removes = await recorder.StopAsync();

        Assert.Multiple(() =>
        {
            Assert.That(removes.Select(e => ((SnapshotRemove)e.Event).Key), Is.EqualTo(new[] { first.Record.SnapshotKey, second.Record.SnapshotKey }),
                "each delete still publishes its rootfs's removal");
            Assert.That(ranAfterOne, Is.False, "one container delete is one deletion, under DeletionThreshold 2");
            Assert.That(afterTwo.RemovedContent, Is.Empty, "the second delete started a collection; the image keeps its blobs");
        });
    }

    [Test]
    public async Task AnExpiredImageTheCollectorDeletesPublishesImageDeleteInItsNamespaceAndStartsNoOtherCollection()
    {
        // DeletionThreshold 1: any counted deletion would start a collection at once.
        await using RunningScheduler gc = await RunningScheduler.StartAsync(Bed, deletionThreshold: 1);
        (ContainerClient client, GarbageCollectionScheduler scheduler) = (gc.Client, gc.Scheduler);
        Image image = await client.PullAsync(Bed.Reference);
        _ = await scheduler.ScheduleAndWaitAsync();
        // Another namespace's name for the same target, expired an hour ago, written to the bare store.
        string expired = image.Name + "-expired";
        string past = DateTimeOffset.UtcNow.AddHours(-1).ToString("yyyy-MM-dd'T'HH:mm:ssK", CultureInfo.InvariantCulture);
        await new SqliteImageStore(gc.Provider.GetRequiredService<MetadataDatabase>().Path, "gc-other").CreateAsync(
            new Image(expired, image.Target) { Labels = new Dictionary<string, string> { ["containerd.io/gc.expire"] = past } });
        List<GarbageCollectionResult> runs = [];
        scheduler.Collected += (_, result) =>
        {
            lock (runs)
            {
                runs.Add(result);
            }
        };
        await using EventRecorder recorder = new(client.Events, "topic~=^/(images|content|snapshot)/");

        GarbageCollectionResult collection = await scheduler.ScheduleAndWaitAsync();
        await Task.Delay(TimeSpan.FromSeconds(3));
        IReadOnlyList<EventEnvelope> events = await recorder.StopAsync();

        Assert.Multiple(() =>
        {
            Assert.That(collection.RemovedImages, Is.EqualTo(new[] { "gc-other/" + expired }));
            Assert.That(events.Select(e => (e.Namespace, e.Event)), Is.EqualTo(new[] { ("gc-other", (ContainerEvent)new ImageDelete(expired)) }),
                "the collector's delete, in the record's namespace; nothing else was removed");
            Assert.That(runs, Has.Count.EqualTo(1), "the requested collection only: its own delete is not counted");
        });
        Assert.That(await client.GetImageAsync(image.Name), Is.Not.Null, "the namespace's own record stays");
    }
}
