using Containers.Mounts;
using Containers.Snapshots.Tests.Apply;
using Containers.Testing;

namespace Containers.Snapshots.Tests.Overlay;

/// <summary>
/// <see cref="OverlaySnapshotterOptions.BackgroundRemoval"/>: RemoveAsync returns once the record is gone and the directory
/// renamed, the tree is deleted after it, and <see cref="DirectorySnapshotter.WhenRemovedAsync"/>, CleanupAsync and disposal
/// wait for that. The snapshots hold thousands of files so that their deletion is still running when RemoveAsync returns.
/// And <see cref="OverlaySnapshotterOptions.SpareDirectory"/>: a Prepare takes the directory made in the background after
/// the previous one.
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

    [Test]
    public async Task APrepareTakesTheSpareDirectoryMadeAfterThePreviousOne()
    {
        await using OverlaySnapshotter snapshotter = new(Root, new OverlaySnapshotterOptions { SpareDirectory = true, SpareDirectoryDelay = TimeSpan.Zero });
        _ = await snapshotter.PrepareAsync("layer-work", null);
        await snapshotter.CommitAsync("layer", "layer-work");
        _ = await snapshotter.PrepareAsync("first", "layer");
        await snapshotter.WhenRemovedAsync();
        string spare = Spares().Single();
        ulong spareInode = TreeSnapshot.LStat(spare).Ino;
        IReadOnlyList<Mount> mounts = await snapshotter.PrepareAsync("second", "layer");
        Assert.That(Directory.Exists(spare), Is.False, "the spare was renamed into place");
        string upper = mounts.Single().Options.Single(o => o.StartsWith("upperdir=", StringComparison.Ordinal))["upperdir=".Length..];
        Assert.That(TreeSnapshot.LStat(Path.GetDirectoryName(upper)!).Ino, Is.EqualTo(spareInode), "the second snapshot's directory is the spare");
        Assert.That(Directory.Exists(Path.Combine(Path.GetDirectoryName(upper)!, "work")), Is.True);
        await snapshotter.WhenRemovedAsync();
        Assert.That(Spares(), Has.Length.EqualTo(1), "a new spare is made after it");
    }

    [Test]
    public async Task CleanupAndDisposeDeleteTheSpareAndPrepareStillWorksAfterCleanup()
    {
        OverlaySnapshotter snapshotter = new(Root, new OverlaySnapshotterOptions { SpareDirectory = true, SpareDirectoryDelay = TimeSpan.Zero });
        _ = await snapshotter.PrepareAsync("a", null);
        await snapshotter.WhenRemovedAsync();
        Assert.That(Spares(), Has.Length.EqualTo(1));
        await snapshotter.CleanupAsync();
        Assert.That(Spares(), Is.Empty, "cleanup takes the spare for what it is, a directory without a record");
        _ = await snapshotter.PrepareAsync("b", null);
        await snapshotter.WhenRemovedAsync();
        Assert.That(Spares(), Has.Length.EqualTo(1));
        await snapshotter.DisposeAsync();
        Assert.That(Spares(), Is.Empty, "disposal deletes the spare");
        Assert.That(Directory.GetDirectories(SnapshotsDirectory), Has.Length.EqualTo(2), "the snapshots a and b");
    }

    [Test]
    public async Task ARefusedPrepareLeavesTheSpare()
    {
        await using OverlaySnapshotter snapshotter = new(Root, new OverlaySnapshotterOptions { SpareDirectory = true, SpareDirectoryDelay = TimeSpan.Zero });
        _ = await snapshotter.PrepareAsync("a", null);
        await snapshotter.WhenRemovedAsync();
        string spare = Spares().Single();
        Assert.ThrowsAsync<AlreadyExistsException>(async () => await snapshotter.PrepareAsync("a", null));
        Assert.ThrowsAsync<NotFoundException>(async () => await snapshotter.PrepareAsync("b", "no-such-parent"));
        Assert.That(Spares(), Is.EqualTo(new[] { spare }), "the spare is still there for the next Prepare");
    }

    [Test]
    public async Task TheSpareIsMadeOnlyOnceItsDelayHasPassed()
    {
        await using OverlaySnapshotter snapshotter = new(Root, new OverlaySnapshotterOptions { SpareDirectory = true, SpareDirectoryDelay = TimeSpan.FromMilliseconds(300) });
        _ = await snapshotter.PrepareAsync("a", null);
        await snapshotter.WhenRemovedAsync();
        string[] atOnce = Spares();
        bool made = false;
        for (int i = 0; i < 200 && !made; i++)
        {
            await Task.Delay(50);
            await snapshotter.WhenRemovedAsync();
            made = Spares().Length == 1;
        }

        Assert.Multiple(() =>
        {
            Assert.That(atOnce, Is.Empty, "no spare before the delay");
            Assert.That(made, Is.True, "the spare is made after it");
        });
    }

    [Test]
    public async Task DisposalDoesNotWaitForAPendingSpareAndLeavesNone()
    {
        OverlaySnapshotter snapshotter = new(Root, new OverlaySnapshotterOptions { SpareDirectory = true, SpareDirectoryDelay = TimeSpan.FromHours(1) });
        _ = await snapshotter.PrepareAsync("a", null);
        Task disposal = snapshotter.DisposeAsync().AsTask();

        Assert.That(await Task.WhenAny(disposal, Task.Delay(TimeSpan.FromSeconds(30))), Is.SameAs(disposal), "disposal returned");
        await Task.Delay(200);
        Assert.That(Spares(), Is.Empty);
    }

    private string[] Spares() => Directory.GetDirectories(SnapshotsDirectory, "new-*");

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
