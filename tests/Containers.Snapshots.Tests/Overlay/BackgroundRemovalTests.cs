using Containers.Mounts;
using Containers.Testing;

namespace Containers.Snapshots.Tests.Overlay;

/// <summary>
/// <see cref="OverlaySnapshotterOptions.BackgroundRemoval"/>: RemoveAsync returns once the record is gone and the directory
/// renamed, the tree is deleted after it, and <see cref="DirectorySnapshotter.WhenRemovedAsync"/>, CleanupAsync and disposal
/// wait for that. The snapshots hold thousands of files so that their deletion is still running when RemoveAsync returns.
/// </summary>
[NonParallelizable]
public sealed class BackgroundRemovalTests
{
    private const int Files = 4000;
    private TempDirectory _temp = null!;

    private string Root => _temp.Combine("root");

    private string SnapshotsDirectory => Path.Combine(Root, "snapshots");

    [SetUp]
    public void SetUp()
    {
        if (!OverlaySnapshotter.IsSupported())
        {
            Assert.Ignore("this kernel has no overlayfs");
        }

        _temp = new TempDirectory("snap-bgrm-");
    }

    [TearDown]
    public void TearDown() => _temp?.Dispose();

    [Test]
    public async Task RemoveReturnsBeforeTheTreeIsGoneAndWhenRemovedWaitsForIt()
    {
        await using OverlaySnapshotter snapshotter = new(Root, new OverlaySnapshotterOptions { BackgroundRemoval = true });
        await PrepareFullAsync(snapshotter, "big");
        await snapshotter.RemoveAsync("big");
        string[] left = Directory.GetDirectories(SnapshotsDirectory);
        Assert.That(await snapshotter.WalkAsync().CountAsync(), Is.Zero, "the record is gone when RemoveAsync returns");
        Assert.That(left.Select(Path.GetFileName), Has.One.StartsWith("rm-"), "the renamed tree was still being deleted when RemoveAsync returned");
        await snapshotter.WhenRemovedAsync();
        Assert.That(Directory.GetDirectories(SnapshotsDirectory), Is.Empty);
    }

    [Test]
    public async Task WithoutTheOptionRemoveDeletesTheTreeItself()
    {
        await using OverlaySnapshotter snapshotter = new(Root);
        await PrepareFullAsync(snapshotter, "big");
        await snapshotter.RemoveAsync("big");
        Assert.That(Directory.GetDirectories(SnapshotsDirectory), Is.Empty);
        Assert.That(snapshotter.WhenRemovedAsync().IsCompleted, Is.True);
    }

    [Test]
    public async Task DisposeWaitsForTheDeletions()
    {
        OverlaySnapshotter snapshotter = new(Root, new OverlaySnapshotterOptions { BackgroundRemoval = true });
        for (int i = 0; i < 3; i++)
        {
            await PrepareFullAsync(snapshotter, "big-" + i);
        }

        for (int i = 0; i < 3; i++)
        {
            await snapshotter.RemoveAsync("big-" + i);
        }

        await snapshotter.DisposeAsync();
        Assert.That(Directory.GetDirectories(SnapshotsDirectory), Is.Empty);
    }

    [Test]
    public async Task CleanupWaitsForTheDeletionsAndKeepsTheRest()
    {
        await using OverlaySnapshotter snapshotter = new(Root, new OverlaySnapshotterOptions { BackgroundRemoval = true });
        await PrepareFullAsync(snapshotter, "big");
        _ = await snapshotter.PrepareAsync("kept", null);
        await snapshotter.RemoveAsync("big");
        await snapshotter.CleanupAsync();
        Assert.That(Directory.GetDirectories(SnapshotsDirectory), Has.Length.EqualTo(1), "only the kept snapshot's directory");
        Assert.That(await snapshotter.WalkAsync().Select(s => s.Name).ToListAsync(), Is.EqualTo(new[] { "kept" }));
    }

    /// <summary>Prepares an active snapshot without a parent and writes <see cref="Files"/> files into its upper directory.</summary>
    private static async Task PrepareFullAsync(OverlaySnapshotter snapshotter, string key)
    {
        IReadOnlyList<Mount> mounts = await snapshotter.PrepareAsync(key, null);
        // Without a parent the snapshot mounts as a bind mount of its fs directory: write there directly.
        string fs = mounts.Single().Source;
        for (int i = 0; i < Files; i++)
        {
            await File.WriteAllTextAsync(Path.Combine(fs, "f" + i), "x");
        }
    }
}
