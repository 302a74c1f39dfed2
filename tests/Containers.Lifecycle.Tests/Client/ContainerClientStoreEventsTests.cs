using Containers.Client;
using Containers.Content;
using Containers.Events;
using Containers.GarbageCollection;
using Containers.Images;
using Containers.Lifecycle.Tests.Events;
using Containers.Oci.Image;
using Microsoft.Extensions.DependencyInjection;

namespace Containers.Lifecycle.Tests.Client;

/// <summary>
/// The image, content and snapshot services of <c>AddContainerRuntime</c> publish containerd's events after each
/// change, in the runtime's namespace, so every user of the services (pull, unpack, containers, direct calls) is
/// seen; the garbage collector publishes its snapshot removals as containerd 2.x does, and no content deletes
/// (real registry, content store, overlayfs).
/// </summary>
[NonParallelizable]
public sealed class ContainerClientStoreEventsTests : FacadeFixture
{
    private const string StoreTopics = "topic~=^/(images|content|snapshot)/";

    [Test]
    public async Task APullPublishesContentCreatesThenTheImageCreateThenThePrepareAndCommitOfEachLayer()
    {
        ServiceProvider provider = Bed.NewProvider();
        ContainerClient client = provider.GetRequiredService<ContainerClient>();
        IReadOnlyList<EventEnvelope> events;
        await using (EventRecorder recorder = new(client.Events, StoreTopics))
        {
            Image pulled = await client.PullAsync(Bed.Reference);
            events = await recorder.StopAsync();
            IContentStore content = provider.GetRequiredService<IContentStore>();
            Manifest manifest = ImageSpecJson.ParseManifest(await ReadBlobAsync(content, pulled.Target));
            Digest chainId = ImageSpecJson.ParseConfig(await ReadBlobAsync(content, manifest.Config)).RootFs.DiffIds.Single();
            string[] topics = events.Select(e => e.Topic).ToArray();
            var prepare = events.Select(e => e.Event).OfType<SnapshotPrepare>().Single();
            Dictionary<Digest, long> blobs = new[] { pulled.Target, manifest.Config }.Concat(manifest.Layers).ToDictionary(d => d.Digest, d => d.Size);

            Assert.Multiple(() =>
            {
                Assert.That(topics, Is.EqualTo(new[]
                {
                    EventTopics.ContentCreate, EventTopics.ContentCreate, EventTopics.ContentCreate, EventTopics.ImageCreate,
                    EventTopics.SnapshotPrepare, EventTopics.SnapshotCommit,
                }), "blobs, then the name (never naming missing content), then the unpack");
                Assert.That(events.Select(e => e.Event).OfType<ContentCreate>().ToDictionary(c => c.Digest, c => c.Size), Is.EquivalentTo(blobs));
                Assert.That(events[3].Event, Is.EqualTo(new ImageCreate(pulled.Name, pulled.Labels)).Using<ContainerEvent>(SameEvent));
                Assert.That(prepare.Parent, Is.Null, "the one layer has no parent");
                Assert.That(prepare.Key, Does.StartWith("extract-").And.EndWith(" " + chainId));
                Assert.That(prepare.Snapshotter, Is.EqualTo("overlayfs"));
                Assert.That(events[5].Event, Is.EqualTo(new SnapshotCommit(prepare.Key, chainId.ToString(), "overlayfs")));
                Assert.That(events.Select(e => e.Namespace).Distinct(), Is.EqualTo(new[] { FacadeTestBed.Namespace }));
            });
        }

        // Pulled again: the record exists, so it is updated; the blobs and the layer are there, so nothing else.
        await using (EventRecorder recorder = new(client.Events, StoreTopics))
        {
            Image again = await client.PullAsync(Bed.Reference);
            IReadOnlyList<EventEnvelope> second = await recorder.StopAsync();
            Assert.That(second.Select(e => e.Event), Is.EqualTo(new ContainerEvent[] { new ImageUpdate(again.Name, again.Labels) }).Using<ContainerEvent>(SameEvent));
        }
    }

    [Test]
    public async Task AnImageUpdateThroughTheStorePublishesTheNewLabelsAndAFailedOnePublishesNothing()
    {
        ServiceProvider provider = Bed.NewProvider();
        ContainerClient client = provider.GetRequiredService<ContainerClient>();
        Image image = await client.PullAsync(Bed.Reference);
        IImageStore images = provider.GetRequiredService<IImageStore>();
        await using EventRecorder recorder = new(client.Events, StoreTopics);

        Image updated = await images.UpdateAsync(image with { Labels = new Dictionary<string, string> { ["team"] = "a" } }, ["labels.team"]);
        Assert.ThrowsAsync<NotFoundException>(async () => await images.UpdateAsync(image with { Name = "example.invalid/none:1" }, ["labels"]));
        await images.DeleteAsync(image.Name);
        IReadOnlyList<EventEnvelope> events = await recorder.StopAsync();

        Assert.That(events.Select(e => e.Event), Is.EqualTo(new ContainerEvent[]
        {
            new ImageUpdate(image.Name, new Dictionary<string, string> { ["team"] = "a" }),
            new ImageDelete(image.Name),
        }).Using<ContainerEvent>(SameEvent));
        Assert.That(updated.Labels["team"], Is.EqualTo("a"));
    }

    [Test]
    public async Task AContainerCreateAndDeletePublishThePrepareAndRemoveOfItsRootfs()
    {
        ServiceProvider provider = Bed.NewProvider();
        ContainerClient client = provider.GetRequiredService<ContainerClient>();
        Image image = await client.PullAsync(Bed.Reference);
        IContentStore content = provider.GetRequiredService<IContentStore>();
        Digest top = ImageSpecJson.ParseConfig(await ReadBlobAsync(content, ImageSpecJson.ParseManifest(await ReadBlobAsync(content, image.Target)).Config)).RootFs.DiffIds.Single();
        await using EventRecorder recorder = new(client.Events, "topic~=^/(images|content|snapshot|containers)/");

        Container container = await client.CreateContainerAsync("events-rootfs", image);
        string key = container.Record.SnapshotKey!;
        await container.DeleteAsync();
        IReadOnlyList<EventEnvelope> events = await recorder.StopAsync();

        Assert.That(events.Select(e => e.Topic), Is.EqualTo(new[] { EventTopics.SnapshotPrepare, EventTopics.ContainerCreate, EventTopics.ContainerDelete, EventTopics.SnapshotRemove }));
        Assert.That(events[0].Event, Is.EqualTo(new SnapshotPrepare(key, top.ToString(), "overlayfs")), "the rootfs on the image's top layer");
        Assert.That(events[3].Event, Is.EqualTo(new SnapshotRemove(key, "overlayfs")));
    }

    [Test]
    public async Task ARunPublishesTheTopicsOfCtrRunRm()
    {
        ServiceProvider provider = Bed.NewProvider();
        ContainerClient client = provider.GetRequiredService<ContainerClient>();
        Image image = await client.PullAsync(Bed.Reference);
        await using EventRecorder recorder = new(client.Events, "namespace==" + FacadeTestBed.Namespace);

        RunResult result = await client.RunAsync(image, ["true"], new RunOptions { Id = "events-run" });
        IReadOnlyList<EventEnvelope> events = await recorder.StopAsync();

        // containerd 1.6.20's `ctr run --rm` (ctr events, private containerd, same image) publishes these topics
        // in this order but for the last two: its client removes the snapshot before the container record.
        Assert.That(result.ExitCode, Is.Zero);
        Assert.That(events.Select(e => e.Topic), Is.EqualTo(new[]
        {
            EventTopics.SnapshotPrepare, EventTopics.ContainerCreate, EventTopics.TaskCreate, EventTopics.TaskStart,
            EventTopics.TaskExit, EventTopics.TaskDelete, EventTopics.ContainerDelete, EventTopics.SnapshotRemove,
        }));
        Assert.That(events[0].Event, Is.InstanceOf<SnapshotPrepare>().With.Property(nameof(SnapshotPrepare.Key)).EqualTo(((SnapshotRemove)events[^1].Event).Key));
    }

    [Test]
    public async Task AContentCommitAndDeleteThroughTheStorePublishDigestAndSizeAndAFailedDeletePublishesNothing()
    {
        ServiceProvider provider = Bed.NewProvider();
        IContentStore content = provider.GetRequiredService<IContentStore>();
        byte[] blob = "a blob of the store events test\n"u8.ToArray();
        Digest digest = Digest.Compute(blob);
        await using EventRecorder recorder = new(provider.GetRequiredService<IEventBus>(), StoreTopics);

        await using (IContentWriter writer = await content.OpenWriterAsync(new ContentWriterOptions { Ref = "events-test" }))
        {
            await writer.WriteAsync(blob);
            await writer.CommitAsync(blob.Length, digest);
        }

        await content.DeleteAsync(digest);
        Assert.ThrowsAsync<NotFoundException>(async () => await content.DeleteAsync(digest));
        IReadOnlyList<EventEnvelope> events = await recorder.StopAsync();

        Assert.That(events.Select(e => e.Event), Is.EqualTo(new ContainerEvent[] { new ContentCreate(digest, blob.Length), new ContentDelete(digest) }));
        Assert.That(events.Select(e => e.Namespace), Is.All.EqualTo(FacadeTestBed.Namespace));
    }

    [Test]
    public async Task ACollectionPublishesItsSnapshotRemovalsButNoContentDeletesAndDoesNotStartAnother()
    {
        // DeletionThreshold 1: each counted deletion starts a collection at once; PauseThreshold 0.0001 keeps timed
        // runs minutes apart. The collector's removals are published as containerd 2.x's are (/snapshot/remove,
        // no /content/delete) but not counted: were they, they would start a second run.
        await using RunningScheduler gc = await RunningScheduler.StartAsync(Bed, deletionThreshold: 1);
        (ServiceProvider provider, ContainerClient client, GarbageCollectionScheduler scheduler) = (gc.Provider, gc.Client, gc.Scheduler);
        Image image = await client.PullAsync(Bed.Reference);
        IContentStore content = provider.GetRequiredService<IContentStore>();
        Digest chainId = ImageSpecJson.ParseConfig(await ReadBlobAsync(content, ImageSpecJson.ParseManifest(await ReadBlobAsync(content, image.Target)).Config)).RootFs.DiffIds.Single();
        _ = await scheduler.ScheduleAndWaitAsync();
        List<GarbageCollectionResult> runs = [];
        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        scheduler.Collected += (_, result) =>
        {
            lock (runs)
            {
                runs.Add(result);
            }

            first.TrySetResult();
        };
        await using EventRecorder recorder = new(client.Events, StoreTopics);

        await client.DeleteImageAsync(image.Name);
        await first.Task.WaitAsync(TimeSpan.FromMinutes(1));
        await Task.Delay(TimeSpan.FromSeconds(3));
        IReadOnlyList<EventEnvelope> events = await recorder.StopAsync();

        Assert.Multiple(() =>
        {
            Assert.That(runs, Has.Count.EqualTo(1), "one collection for the one deletion");
            Assert.That(runs[0].RemovedContent, Has.Count.EqualTo(3));
            Assert.That(runs[0].RemovedSnapshots, Has.Count.EqualTo(1));
            Assert.That(events.Select(e => e.Event), Is.EqualTo(new ContainerEvent[] { new ImageDelete(image.Name), new SnapshotRemove(chainId.ToString(), "overlayfs") }),
                "the delete, once, then the collection's snapshot removal; no /content/delete for its 3 blobs");
            Assert.That(events.Select(e => e.Namespace), Is.All.EqualTo(FacadeTestBed.Namespace));
        });
    }

    private static async Task<byte[]> ReadBlobAsync(IContentStore content, Descriptor descriptor)
    {
        await using IContentReader reader = await content.OpenReaderAsync(descriptor);
        byte[] bytes = new byte[reader.Size];
        int read = 0;
        while (read < bytes.Length)
        {
            read += await reader.ReadAtAsync(bytes.AsMemory(read), read);
        }

        return bytes;
    }

    /// <summary>Record equality compares label dictionaries by reference: image events are compared by name and labels.</summary>
    private static bool SameEvent(ContainerEvent a, ContainerEvent b) => (a, b) switch
    {
        (ImageCreate x, ImageCreate y) => x.Name == y.Name && SameLabels(x.Labels, y.Labels),
        (ImageUpdate x, ImageUpdate y) => x.Name == y.Name && SameLabels(x.Labels, y.Labels),
        _ => a.Equals(b),
    };

    private static bool SameLabels(IReadOnlyDictionary<string, string> x, IReadOnlyDictionary<string, string> y)
        => x.Count == y.Count && x.All(p => y.TryGetValue(p.Key, out string? v) && v == p.Value);
}
