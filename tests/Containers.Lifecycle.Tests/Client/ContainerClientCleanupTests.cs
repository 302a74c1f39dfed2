using Containers.Client;
using Containers.Content;
using Containers.GarbageCollection;
using Containers.Images;
using Containers.Leases;
using Containers.Oci;
using Containers.Snapshots;
using Microsoft.Extensions.DependencyInjection;

namespace Containers.Lifecycle.Tests.Client;

/// <summary>What the facade leaves behind: nothing after a failure part-way, nothing unreferenced after a run and a collection.</summary>
[NonParallelizable]
public sealed class ContainerClientCleanupTests : FacadeFixture
{
    [Test]
    public async Task ABadSpecOptionLeavesNoRecordSnapshotMountOrLease()
    {
        ServiceProvider provider = Bed.NewProvider();
        ContainerClient client = provider.GetRequiredService<ContainerClient>();
        Image image = await client.PullAsync(Bed.Reference);
        ContainerOptions options = new();
        options.Spec.Add(SpecOptions.WithUser("nosuchuser"));

        NotFoundException? error = Assert.ThrowsAsync<NotFoundException>(async () => await client.CreateContainerAsync("bad-user", image, options));

        Assert.That(error!.Message, Does.Contain("nosuchuser"));
        await AssertNothingLeftAsync(provider);
    }

    [Test]
    public async Task ARuntimeThatFailsLeavesNoTaskContainerSnapshotMountBundleOrShim()
    {
        ServiceProvider provider = Bed.NewProvider();
        ContainerClient client = provider.GetRequiredService<ContainerClient>();
        Image image = await client.PullAsync(Bed.Reference);

        // The shim runs /bin/false as the runtime: its create fails after the rootfs was mounted.
        ContainersException? error = Assert.CatchAsync<ContainersException>(async () => await client.RunAsync(image, ["true"], new RunOptions { Id = "bad-runtime", Runtime = "/bin/false" }));

        Assert.That(error!.Message, Does.Contain("/bin/false"));
        await AssertNothingLeftAsync(provider);
        Assert.That(Bed.ShimsAfterExits(), Is.Empty);
        Assert.That(Directory.GetFileSystemEntries(Path.Combine(Bed.State, "bundles", FacadeTestBed.Namespace)), Is.Empty);
        Assert.That(Bed.FifoEntries(), Is.Empty);
        Assert.That(Directory.Exists(Path.Combine(Bed.State, "rootfs")) ? Directory.GetFileSystemEntries(Path.Combine(Bed.State, "rootfs")) : [], Is.Empty, "no rootfs marker");
    }

    [Test]
    public async Task CancellingRunAsyncKillsTheContainerAndLeavesNothing()
    {
        ServiceProvider provider = Bed.NewProvider();
        ContainerClient client = provider.GetRequiredService<ContainerClient>();
        Image image = await client.PullAsync(Bed.Reference);
        await CancelledRun.RunAsync(client, image, "cancelled");

        await AssertNothingLeftAsync(provider);
        Assert.That(Bed.ShimsAfterExits(), Is.Empty);
    }

    [Test]
    public async Task AfterRunAndCollectionNothingUnreferencedRemainsAndTheImageIsKept()
    {
        ServiceProvider provider = Bed.NewProvider();
        ContainerClient client = provider.GetRequiredService<ContainerClient>();
        Image image = await client.PullAsync(Bed.Reference);
        IContentStore content = provider.GetRequiredService<IContentStore>();
        ISnapshotter snapshotter = provider.GetRequiredService<ISnapshotter>();
        GarbageCollector collector = provider.GetRequiredService<GarbageCollector>();
        string[] blobsBefore = [.. content.WalkAsync().ToBlockingEnumerable().Select(i => i.Digest.ToString()).Order()];
        string[] snapshotsBefore = [.. snapshotter.WalkAsync().ToBlockingEnumerable().Select(s => s.Name).Order()];

        RunResult result = await client.RunAsync(image, ["sh", "-c", "echo kept > /data; cat /data"]);
        GarbageCollectionResult first = await collector.CollectAsync();
        GarbageCollectionResult second = await collector.CollectAsync();

        Assert.Multiple(() =>
        {
            Assert.That(result.Stdout, Is.EqualTo("kept\n"));
            Assert.That(first.Errors, Is.Empty);
            Assert.That(first.RemovedContent, Is.Empty, "no image blob was unreferenced");
            Assert.That(first.RemovedSnapshots, Is.Empty, "the run removed its own snapshot; the image's chain is referenced");
            Assert.That(second.RemovedContent.Count + second.RemovedSnapshots.Count + second.RemovedLeases.Count, Is.Zero);
            Assert.That(blobsBefore, Has.Length.EqualTo(3), "manifest, config, one layer");
            Assert.That(content.WalkAsync().ToBlockingEnumerable().Select(i => i.Digest.ToString()).Order(), Is.EqualTo(blobsBefore));
            Assert.That(snapshotter.WalkAsync().ToBlockingEnumerable().Select(s => s.Name).Order(), Is.EqualTo(snapshotsBefore));
            Assert.That(snapshotsBefore, Has.Length.EqualTo(1), "one committed layer");
        });
        await AssertNothingLeftAsync(provider);
    }

    private async Task AssertNothingLeftAsync(ServiceProvider provider)
    {
        ContainerClient client = provider.GetRequiredService<ContainerClient>();
        Assert.Multiple(() =>
        {
            Assert.That(client.ListContainersAsync().ToBlockingEnumerable(), Is.Empty, "no container record");
            Assert.That(client.Snapshotter.WalkAsync(["kind==active"]).ToBlockingEnumerable(), Is.Empty, "no active snapshot");
            Assert.That(Bed.MountsUnder(), Is.Empty, "nothing mounted");
            Assert.That(Directory.Exists(Path.Combine(Bed.State, "spec-rootfs")) ? Directory.GetFileSystemEntries(Path.Combine(Bed.State, "spec-rootfs")) : [], Is.Empty, "no spec view left");
        });
        Assert.That(await provider.GetRequiredService<ILeaseManager>().ListAsync().ToListAsync(), Is.Empty, "no lease left");
    }
}
