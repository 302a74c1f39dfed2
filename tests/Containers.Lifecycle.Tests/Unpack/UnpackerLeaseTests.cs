using Containers.GarbageCollection;
using Containers.Images;
using Containers.Images.Layout;
using Containers.Lifecycle.Tests.GarbageCollection;
using Containers.Snapshots;
using Containers.Testing;
using Containers.Unpack;

namespace Containers.Lifecycle.Tests.Unpack;

/// <summary>
/// An unpack given a lease manager holds its extraction snapshot and the layers it committed in a lease
/// while it runs: a collection in the middle of a layer removes neither, and the lease is gone after.
/// </summary>
public sealed class UnpackerLeaseTests
{
    [Test]
    public async Task ACollectionInTheMiddleOfALayerKeepsTheExtractionSnapshotAndTheCommittedLayers()
    {
        TestHost.RequireRoot("overlay snapshots");
        TestHost.RequireTool(BusyboxRootfs.BusyboxPath, "busybox-static");
        if (!OverlaySnapshotter.IsSupported())
        {
            Assert.Ignore("needs overlayfs");
        }

        await using var stack = new GcTestStack();
        string layout = stack.Directory.Combine("layout");
        OciTestImage.Result built = await RichTestImage.WriteAsync(layout);
        Image image = (await new OciLayoutImporter(stack.Content, stack.Images("default")).ImportDirectoryAsync(layout, new OciImportOptions { BaseName = "test/image" })).Single();
        var applier = new HoldingLayerApplier(holdAtCall: 2);
        var unpacker = new Unpacker(stack.Content, stack.Overlay, "overlayfs", applier, leases: stack.Leases("default"));

        Task<UnpackResult> unpack = unpacker.UnpackAsync(image);
        await applier.Entered.WaitAsync(TimeSpan.FromMinutes(2));
        HashSet<string> during = await stack.SnapshotsAsync();
        GarbageCollectionResult collected;
        try
        {
            collected = await stack.Collector.CollectAsync();
        }
        finally
        {
            applier.Release();
        }

        UnpackResult result = await unpack;
        IReadOnlyList<Digest> chain = result.ChainIds;
        await Assert.MultipleAsync(async () =>
        {
            Assert.That(during.Count(s => s.StartsWith("overlayfs/extract-", StringComparison.Ordinal)), Is.EqualTo(1), "the held layer's extraction snapshot existed");
            Assert.That(during, Does.Contain("overlayfs/" + chain[0]), "the base layer was committed");
            Assert.That(collected.Errors, Is.Empty);
            Assert.That(collected.RemovedSnapshots, Is.Empty, "nothing of the running unpack was collected");
            Assert.That((result.Applied, result.Skipped), Is.EqualTo((3, 0)));
            Assert.That(await stack.SnapshotsAsync(), Is.EquivalentTo(chain.Select(c => "overlayfs/" + c)));
            Assert.That(await stack.Leases("default").ListAsync().ToListAsync(), Is.Empty, "the unpack's lease is gone");
        });

        // Now the config's label holds the chain: a collection keeps it all.
        GarbageCollectionResult after = await stack.Collector.CollectAsync();
        Assert.That(after.RemovedCount, Is.Zero);
        Assert.That(await stack.SnapshotsAsync(), Is.EquivalentTo(chain.Select(c => "overlayfs/" + c)));
        Assert.That(built.DiffIds, Has.Count.EqualTo(3));
    }
}
