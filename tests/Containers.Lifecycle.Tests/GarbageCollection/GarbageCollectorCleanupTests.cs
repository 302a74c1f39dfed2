using Containers.GarbageCollection;
using Containers.Snapshots;
using Microsoft.Extensions.Logging;

namespace Containers.Lifecycle.Tests.GarbageCollection;

/// <summary>
/// The snapshotters' <see cref="ISnapshotter.CleanupAsync"/> after a collection, with containerd's rule
/// (core/metadata/db.go): each snapshotter in which the collection found unreached snapshots is cleaned up after
/// the commit, and only those; a failed cleanup is logged and reported and fails nothing else. Real overlay and
/// native snapshotters; the leftovers are made on disk as a crash leaves them (CrashConsistencyTests in
/// Containers.Snapshots.Tests): a create's <c>new-*</c> directory, an id without a record, a cut-short <c>rm-*</c>.
/// </summary>
public sealed class GarbageCollectorCleanupTests
{
    private static readonly Dictionary<string, string> Root = new() { ["containerd.io/gc.root"] = "2026-01-01T00:00:00Z" };

    [SetUp]
    public void RequireRoot() => GcTestStack.RequireRootAndOverlay();

    [TestCase("overlayfs")]
    [TestCase("native")]
    public async Task A_collection_that_removed_snapshots_deletes_the_directories_a_crash_left_without_a_record(string name)
    {
        await using var stack = new GcTestStack();
        ISnapshotter snapshotter = Snapshotter(stack, name);
        await GcTestStack.AddChainAsync(snapshotter, "kept", 2, Root);
        await GcTestStack.AddChainAsync(snapshotter, "junk", 2);
        string[] leftovers = MakeLeftovers(stack, name);

        GarbageCollectionResult result = await stack.Collector.CollectAsync();

        Assert.Multiple(() =>
        {
            Assert.That(result.RemovedSnapshots, Is.EqualTo(new[] { name + "/junk2", name + "/junk1" }));
            Assert.That(result.Errors, Is.Empty);
            Assert.That(leftovers.Where(Directory.Exists), Is.Empty, "directories without a record are left");
        });

        // What is kept is whole: one directory per record, and the kept chain still mounts.
        Assert.That(await stack.SnapshotsAsync(), Is.EquivalentTo(new[] { name + "/kept1", name + "/kept2" }));
        Assert.That(Directory.GetDirectories(SnapshotsDirectory(stack, name)), Has.Length.EqualTo(2));
        Assert.That(await snapshotter.PrepareAsync("after", "kept2"), Is.Not.Empty);
    }

    [Test]
    public async Task A_failed_cleanup_is_reported_and_the_collection_and_the_other_snapshotter_still_complete()
    {
        await using var stack = new GcTestStack();
        Digest blob = await GcTestStack.AddBlobAsync(stack.Content);
        await GcTestStack.AddChainAsync(stack.Overlay, "free", 2);
        await GcTestStack.AddChainAsync(stack.Native, "stuck", 1);
        string[] overlayLeftovers = MakeLeftovers(stack, "overlayfs");

        // A real failure: the native snapshotter's snapshots directory is replaced by a file, so its cleanup cannot
        // list it (ENOTDIR); its records, in its own database, are still read and removed.
        string nativeSnapshots = SnapshotsDirectory(stack, "native");
        Directory.Move(nativeSnapshots, nativeSnapshots + ".away");
        await File.WriteAllTextAsync(nativeSnapshots, "not a directory");
        var logger = new RecordingLogger<GarbageCollector>();
        GarbageCollectionResult result;
        try
        {
            result = await Collector(stack, logger).CollectAsync();
        }
        finally
        {
            File.Delete(nativeSnapshots);
            Directory.Move(nativeSnapshots + ".away", nativeSnapshots);
        }

        Assert.Multiple(() =>
        {
            Assert.That(result.Errors, Has.Count.EqualTo(1));
            Assert.That(result.Errors[0].Kind, Is.EqualTo(GarbageCollectionResourceKind.Snapshotter));
            Assert.That(result.Errors[0].Id, Is.EqualTo("native"));
            Assert.That(result.Errors[0].Exception, Is.InstanceOf<IOException>());
            Assert.That(result.RemovedContent, Is.EqualTo(new[] { blob }));
            Assert.That(result.RemovedSnapshots, Is.EquivalentTo(new[] { "overlayfs/free2", "overlayfs/free1", "native/stuck1" }));
            Assert.That(overlayLeftovers.Where(Directory.Exists), Is.Empty, "the overlay snapshotter was not cleaned up");
            Assert.That(logger.Entries.Where(e => e.Level == LogLevel.Warning).Select(e => e.Message),
                Is.EqualTo(new[] { "GC could not clean up snapshotter native: " + result.Errors[0].Message }));
        });
        Assert.That(await stack.BlobsAsync(), Is.Empty);
        Assert.That(await stack.SnapshotsAsync(), Is.Empty);

        // stuck1's directory outlived its record; the next collection that sweeps the native snapshotter reclaims it.
        Assert.That(Directory.GetDirectories(nativeSnapshots), Has.Length.EqualTo(1));
        await GcTestStack.AddChainAsync(stack.Native, "later", 1);
        GarbageCollectionResult next = await stack.Collector.CollectAsync();
        Assert.That(next.Errors, Is.Empty);
        Assert.That(Directory.GetDirectories(nativeSnapshots), Is.Empty);
    }

    [Test]
    public async Task Only_the_snapshotters_in_which_a_collection_found_unreached_snapshots_are_cleaned_up()
    {
        await using var stack = new GcTestStack();
        string[] overlayLeftovers = MakeLeftovers(stack, "overlayfs");
        string[] nativeLeftovers = MakeLeftovers(stack, "native");
        await GcTestStack.AddChainAsync(stack.Overlay, "kept", 1, Root);

        // A collection that removes a blob and no snapshot cleans up no snapshotter (containerd: only a swept
        // snapshot marks its snapshotter dirty).
        await GcTestStack.AddBlobAsync(stack.Content);
        GarbageCollectionResult blobOnly = await stack.Collector.CollectAsync();
        Assert.That(blobOnly.RemovedContent, Has.Count.EqualTo(1));
        Assert.That(blobOnly.RemovedSnapshots, Is.Empty);
        Assert.That(overlayLeftovers.Concat(nativeLeftovers).Where(Directory.Exists), Is.EquivalentTo(overlayLeftovers.Concat(nativeLeftovers)));

        // A native snapshot swept: the native snapshotter is cleaned up, the overlay one (nothing unreached) is not.
        await GcTestStack.AddChainAsync(stack.Native, "junk", 1);
        GarbageCollectionResult nativeSwept = await stack.Collector.CollectAsync();
        Assert.Multiple(() =>
        {
            Assert.That(nativeSwept.RemovedSnapshots, Is.EqualTo(new[] { "native/junk1" }));
            Assert.That(nativeSwept.Errors, Is.Empty);
            Assert.That(nativeLeftovers.Where(Directory.Exists), Is.Empty);
            Assert.That(overlayLeftovers.Where(Directory.Exists), Is.EquivalentTo(overlayLeftovers));
        });
    }

    [Test]
    public async Task Cancelling_after_the_sweep_started_cuts_the_cleanups_short_and_returns_the_committed_result()
    {
        await using var stack = new GcTestStack();
        await GcTestStack.AddChainAsync(stack.Overlay, "junk", 1);
        await GcTestStack.AddChainAsync(stack.Native, "junk", 1);
        string[] leftovers = [.. MakeLeftovers(stack, "overlayfs"), .. MakeLeftovers(stack, "native")];

        // Cancelled from within the sweep (at its first removal, EventId 100), which runs to the end and commits.
        using var cancellation = new CancellationTokenSource();
        var logger = new RecordingLogger<GarbageCollector>(id =>
        {
            if (id.Id == 100)
            {
                cancellation.Cancel();
            }
        });
        GarbageCollectionResult result = await Collector(stack, logger).CollectAsync(cancellation.Token);

        Assert.Multiple(() =>
        {
            Assert.That(result.RemovedSnapshots, Is.EquivalentTo(new[] { "overlayfs/junk1", "native/junk1" }));
            Assert.That(result.Errors.Select(e => (e.Kind, e.Id, e.Message)), Is.EqualTo(new[]
            {
                (GarbageCollectionResourceKind.Snapshotter, "native", "cleanup cancelled"),
                (GarbageCollectionResourceKind.Snapshotter, "overlayfs", "cleanup cancelled"),
            }));
            Assert.That(result.Errors.Select(e => e.Exception), Is.All.InstanceOf<OperationCanceledException>());
            Assert.That(leftovers.Where(Directory.Exists), Is.EquivalentTo(leftovers));
        });
        Assert.That(await stack.SnapshotsAsync(), Is.Empty);
    }

    private static GarbageCollector Collector(GcTestStack stack, ILogger<GarbageCollector> logger) =>
        new(stack.Database, stack.Content, new Dictionary<string, ISnapshotter> { ["overlayfs"] = stack.Overlay, ["native"] = stack.Native }, logger, stack.Clock);

    private static ISnapshotter Snapshotter(GcTestStack stack, string name) => name == "overlayfs" ? stack.Overlay : stack.Native;

    private static string SnapshotsDirectory(GcTestStack stack, string name) => stack.Directory.Combine("snapshots", name, "snapshots");

    /// <summary>Makes, in the snapshotter's directory, what a crash leaves: directories without a record.</summary>
    private static string[] MakeLeftovers(GcTestStack stack, string name)
    {
        string snapshots = SnapshotsDirectory(stack, name);
        string[] leftovers =
        [
            Path.Combine(snapshots, "new-0123456789abcdef0123456789abcdef"), // a create whose commit never happened
            Path.Combine(snapshots, "9000"), // a create whose rename was kept and commit lost
            Path.Combine(snapshots, "rm-9001"), // a removal cut short after its commit
        ];
        foreach (string leftover in leftovers)
        {
            Directory.CreateDirectory(Path.Combine(leftover, "fs", "half"));
            File.WriteAllText(Path.Combine(leftover, "fs", "half", "file"), "x");
        }

        return leftovers;
    }
}
