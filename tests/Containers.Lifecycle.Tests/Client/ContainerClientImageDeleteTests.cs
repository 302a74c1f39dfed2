using Containers.Client;
using Containers.GarbageCollection;
using Containers.Images;
using Microsoft.Extensions.DependencyInjection;

namespace Containers.Lifecycle.Tests.Client;

/// <summary>
/// <see cref="ContainerClient.DeleteImageAsync"/> publishes <c>/images/delete</c>, which the GC scheduler counts as a
/// deletion: at <see cref="GarbageCollectionSchedulerOptions.DeletionThreshold"/> deletions it collects at once,
/// long before its next timed run (real registry, content store, overlayfs).
/// </summary>
[NonParallelizable]
public sealed class ContainerClientImageDeleteTests : FacadeFixture
{
    [Test]
    public async Task DeletingImagesTriggersACollectionAtTheDeletionThresholdThatRemovesTheirBlobsAndSnapshots()
    {
        // PauseThreshold 0.0001: timed runs come at least 10 000 × a collection's duration apart (minutes here).
        await using RunningScheduler gc = await RunningScheduler.StartAsync(Bed, deletionThreshold: 2);
        (ServiceProvider provider, ContainerClient client, GarbageCollectionScheduler scheduler) = (gc.Provider, gc.Client, gc.Scheduler);
        Image image = await client.PullAsync(Bed.Reference);
        await provider.GetRequiredService<IImageStore>().CreateAsync(new Image(image.Name + "-alias", image.Target));
        GarbageCollectionResult baseline = await scheduler.ScheduleAndWaitAsync();
        string blobs = Path.Combine(Bed.Root, "content", "blobs", "sha256");
        string[] before = Directory.GetFiles(blobs).Select(Path.GetFileName).ToArray()!;
        var collected = new TaskCompletionSource<GarbageCollectionResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        scheduler.Collected += (_, result) => collected.TrySetResult(result);

        // One deletion is under the threshold: nothing runs (the alias's blobs are the image's, still held).
        await client.DeleteImageAsync(image.Name + "-alias");
        await Task.Delay(TimeSpan.FromSeconds(2));
        bool ranAfterOne = collected.Task.IsCompleted;
        await client.DeleteImageAsync(image.Name);
        GarbageCollectionResult result = await collected.Task.WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Multiple(() =>
        {
            Assert.That(baseline.RemovedContent, Is.Empty, "both names held the image after the pull");
            Assert.That(before, Has.Length.EqualTo(3), "manifest, config and the one layer");
            Assert.That(ranAfterOne, Is.False, "one deletion is under DeletionThreshold 2");
            Assert.That(result.RemovedContent.Select(d => d.Encoded), Is.EquivalentTo(before), "the second delete's collection removed every blob");
            Assert.That(result.RemovedSnapshots, Has.Count.EqualTo(1), "and the unpacked layer");
            Assert.That(Directory.GetFiles(blobs), Is.Empty);
            Assert.That(Assert.ThrowsAsync<NotFoundException>(async () => await client.GetImageAsync(image.Name)), Is.Not.Null);
        });
    }
}
