using Containers.Testing;

namespace Containers.Snapshots.Tests.Testsuite;

/// <summary>
/// What a kill -9 can leave behind, reproduced on disk, for both snapshotters: a half-built directory
/// under its temporary name, a directory renamed to its id whose transaction never committed (and whose id
/// the database will hand out again), and a removal cut short. The store must open, keep working, and
/// <see cref="ISnapshotter.CleanupAsync"/> must leave exactly one directory per record.
/// </summary>
[TestFixture("overlay")]
[TestFixture("native")]
[NonParallelizable]
public sealed class CrashConsistencyTests(string kind)
{
    private TempDirectory _temp = null!;

    [SetUp]
    public void SetUp() => _temp = new TempDirectory("snap-crash-");

    [TearDown]
    public void TearDown() => _temp.Dispose();

    [Test]
    public async Task CleanupAfterCrashLeavesOneDirectoryPerRecord()
    {
        string root = _temp.Combine("root");
        string snapshots = Path.Combine(root, "snapshots");
        await using (ISnapshotter first = Open(root))
        {
            await first.PrepareAsync("base-active", null);
            await first.CommitAsync("base", "base-active");
            await first.PrepareAsync("doomed", "base");
            await first.PrepareAsync("kept", "base", new Dictionary<string, string> { ["l"] = "v" });
        }

        // kill -9 states: (1) a create that died while building its directory;
        Directory.CreateDirectory(Path.Combine(snapshots, "new-0123456789abcdef", "fs", "half"));
        File.WriteAllText(Path.Combine(snapshots, "new-0123456789abcdef", "fs", "half", "file"), "x");
        // (2) a create whose directory was renamed to its id (4, the next one) but whose transaction rolled back;
        Directory.CreateDirectory(Path.Combine(snapshots, "4", "fs"));
        File.WriteAllText(Path.Combine(snapshots, "4", "fs", "stale"), "from a rolled back create");
        // (3) a removal whose record is gone but whose directory was only renamed.
        Directory.CreateDirectory(Path.Combine(snapshots, "rm-77", "fs"));

        await using ISnapshotter reopened = Open(root);
        Assert.That(await NamesAsync(reopened), Is.EquivalentTo(new[] { "base", "doomed", "kept" }), "the store opens with every committed record");
        Assert.That((await reopened.StatAsync("kept")).Labels["l"], Is.EqualTo("v"));

        // The next create gets id 4 and finds the stale directory: it must replace it, not fail or reuse it.
        await reopened.PrepareAsync("after-crash", "base");
        Assert.That(File.Exists(Path.Combine(snapshots, "4", "fs", "stale")), Is.False, "the new snapshot does not inherit a stale directory");
        await reopened.RemoveAsync("doomed");

        await reopened.CleanupAsync();
        string[] left = [.. Directory.GetDirectories(snapshots).Select(Path.GetFileName).Order()!];
        Assert.That(left, Has.Length.EqualTo(3), string.Join(",", left));
        Assert.That(left, Has.None.StartsWith("new-").And.None.StartsWith("rm-"));
        Assert.That(await NamesAsync(reopened), Is.EquivalentTo(new[] { "base", "kept", "after-crash" }));

        await reopened.CleanupAsync();
        Assert.That(Directory.GetDirectories(snapshots), Has.Length.EqualTo(3), "cleanup is idempotent");
    }

    [Test]
    public async Task CancelledPrepareLeavesNothing()
    {
        string root = _temp.Combine("root");
        await using ISnapshotter snapshotter = Open(root);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.CatchAsync<OperationCanceledException>(async () => await snapshotter.PrepareAsync("x", null, null, cts.Token));
        Assert.ThrowsAsync<NotFoundException>(async () => await snapshotter.StatAsync("x"));
        Assert.That(Directory.GetDirectories(Path.Combine(root, "snapshots")), Is.Empty);
    }

    private ISnapshotter Open(string root) => kind == "overlay" ? new OverlaySnapshotter(root) : new NativeSnapshotter(root);

    private static async Task<List<string>> NamesAsync(ISnapshotter snapshotter)
    {
        var names = new List<string>();
        await foreach (SnapshotInfo info in snapshotter.WalkAsync())
        {
            names.Add(info.Name);
        }

        return names;
    }
}
