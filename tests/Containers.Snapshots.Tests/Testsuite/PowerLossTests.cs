using Containers.Testing;

namespace Containers.Snapshots.Tests.Testsuite;

/// <summary>
/// What an OS crash or power loss can leave now that creating and removing active snapshots and views commits
/// without an fsync, built for real for both snapshotters: the database is copied before an operation and put
/// back after it (the operation's commit lost, its directory rename kept), a created directory is moved back to its
/// temporary name (the commit kept, the rename lost), or a snapshot's directory is deleted behind the open
/// snapshotter's back. The store must open, drop what is lost, refuse what it cannot mount with
/// a typed error, and <see cref="ISnapshotter.CleanupAsync"/> must leave one directory per record.
/// </summary>
[TestFixture("overlay")]
[TestFixture("native")]
[NonParallelizable]
public sealed class PowerLossTests(string kind)
{
    private TempDirectory _temp = null!;
    private string _root = null!;
    private string _snapshots = null!;

    [SetUp]
    public void SetUp()
    {
        _temp = new TempDirectory("snap-power-");
        _root = _temp.Combine("root");
        _snapshots = Path.Combine(_root, "snapshots");
    }

    [TearDown]
    public void TearDown() => _temp.Dispose();

    [Test]
    public async Task LostCreateLeavesADirectoryThatCleanupRemoves()
    {
        string lostDirectory = await LoseCreateAsync();

        await using ISnapshotter reopened = Open();
        Assert.That(await NamesAsync(reopened), Is.EquivalentTo(new[] { "base" }), "the lost create has no record");
        Assert.That(Directory.Exists(lostDirectory), Is.True, "its directory is still there before cleanup");
        await reopened.CleanupAsync();
        Assert.That(Directory.Exists(lostDirectory), Is.False, "cleanup removes a directory without a record");
        Assert.That(Directory.GetDirectories(_snapshots), Has.Length.EqualTo(1));

        string again = await PrepareAndFindDirectoryAsync(reopened, "lost", "base");
        Assert.That(File.Exists(Path.Combine(again, "fs", "written")), Is.False, "the key is free again and starts empty");
    }

    [Test]
    public async Task LostCreateBeforeCleanupIsReplacedByTheNextCreate()
    {
        string lostDirectory = await LoseCreateAsync();

        // No cleanup: the database hands the lost id out again, and the create must replace the stale directory.
        await using ISnapshotter reopened = Open();
        await reopened.PrepareAsync("next", "base");
        Assert.That(Directory.GetDirectories(_snapshots), Has.Length.EqualTo(2), "the lost id was handed out again, its directory replaced");
        Assert.That(File.Exists(Path.Combine(lostDirectory, "fs", "written")), Is.False, "the new snapshot does not inherit the lost one's files");
        await reopened.CleanupAsync();
        Assert.That(Directory.GetDirectories(_snapshots), Has.Length.EqualTo(2));
        Assert.That((await reopened.MountsAsync("next")).Count, Is.EqualTo(1));
    }

    [Test]
    public async Task LostRemoveLeavesRecordsThatOpenDrops()
    {
        string containerDirectory, viewDirectory;
        await using (ISnapshotter first = Open())
        {
            await first.PrepareAsync("base-active", null);
            await first.CommitAsync("base", "base-active");
            containerDirectory = await PrepareAndFindDirectoryAsync(first, "container", "base");
            viewDirectory = await FindNewDirectoryAsync(() => first.ViewAsync("view", "base"));
            await first.PrepareAsync("kept", "base");
        }

        string[] saved = SaveDatabase();
        await using (ISnapshotter second = Open())
        {
            await second.RemoveAsync("container");
            await second.RemoveAsync("view");
        }

        // The removals' commits are lost, their renames and deletions are not; one deletion stopped half-way.
        RestoreDatabase(saved);
        Directory.CreateDirectory(Path.Combine(_snapshots, "rm-" + Path.GetFileName(containerDirectory), "fs", "half"));
        Assert.That(Directory.Exists(containerDirectory) || Directory.Exists(viewDirectory), Is.False);

        await using ISnapshotter reopened = Open();
        Assert.That(await NamesAsync(reopened), Is.EquivalentTo(new[] { "base", "kept" }), "open drops the records whose directory is gone");
        Assert.ThrowsAsync<NotFoundException>(async () => await reopened.StatAsync("container"));
        await reopened.CleanupAsync();
        Assert.That(Directory.GetDirectories(_snapshots).Select(Path.GetFileName), Has.None.StartsWith("rm-"));
        Assert.That(Directory.GetDirectories(_snapshots), Has.Length.EqualTo(2), "one directory per record");

        // The keys are free again.
        Assert.That(await reopened.PrepareAsync("container", "base"), Is.Not.Empty);
        Assert.That(await reopened.ViewAsync("view", "base"), Is.Not.Empty);
        Assert.That((await reopened.MountsAsync("kept")).Count, Is.EqualTo(1));
    }

    [Test]
    public async Task CreateWhoseRenameIsLostIsDroppedOnOpen()
    {
        string directory;
        await using (ISnapshotter first = Open())
        {
            await first.PrepareAsync("base-active", null);
            await first.CommitAsync("base", "base-active");
            directory = await PrepareAndFindDirectoryAsync(first, "container", "base");
        }

        // The commit reached the disk, the rename from the temporary name did not.
        Directory.Move(directory, Path.Combine(_snapshots, "new-00112233445566778899aabbccddeeff"));

        await using ISnapshotter reopened = Open();
        Assert.That(await NamesAsync(reopened), Is.EquivalentTo(new[] { "base" }));
        await reopened.CleanupAsync();
        Assert.That(Directory.GetDirectories(_snapshots), Has.Length.EqualTo(1), "the half-created directory is gone too");
        Assert.That(await reopened.PrepareAsync("container", "base"), Is.Not.Empty);
    }

    [Test]
    public async Task RecordWithoutDirectoryIsRefusedTypedAndRemovable()
    {
        await using ISnapshotter snapshotter = Open();
        await snapshotter.PrepareAsync("base-active", null);
        await snapshotter.CommitAsync("base", "base-active");
        string gone = await PrepareAndFindDirectoryAsync(snapshotter, "gone", "base");
        string dropped = await PrepareAndFindDirectoryAsync(snapshotter, "dropped", "base");
        Directory.Delete(gone, recursive: true);
        Directory.Delete(dropped, recursive: true);

        Assert.That((await snapshotter.StatAsync("gone")).Kind, Is.EqualTo(SnapshotKind.Active), "the record is still there");
        var mounts = Assert.ThrowsAsync<FailedPreconditionException>(async () => await snapshotter.MountsAsync("gone"));
        Assert.That(mounts!.Message, Does.Contain("\"gone\"").And.Contain("directory"));
        Assert.ThrowsAsync<FailedPreconditionException>(async () => await snapshotter.CommitAsync("gone-layer", "gone"));
        Assert.ThrowsAsync<FailedPreconditionException>(async () => await snapshotter.UsageAsync("gone"));
        Assert.ThrowsAsync<NotFoundException>(async () => await snapshotter.StatAsync("gone-layer"), "a refused commit commits nothing");

        await snapshotter.RemoveAsync("gone");
        Assert.ThrowsAsync<NotFoundException>(async () => await snapshotter.StatAsync("gone"));

        await snapshotter.CleanupAsync();
        Assert.That(await NamesAsync(snapshotter), Is.EquivalentTo(new[] { "base" }), "cleanup drops the record whose directory is gone");
        Assert.That(Directory.GetDirectories(_snapshots), Has.Length.EqualTo(1));
        Assert.That(await snapshotter.PrepareAsync("dropped", "base"), Is.Not.Empty, "its key is free again");
    }

    [Test]
    public async Task CommittedRecordWithoutDirectoryIsKept()
    {
        // Only active snapshots and views are dropped: a layer's record is never taken away by open or cleanup.
        string layer;
        await using (ISnapshotter first = Open())
        {
            layer = await PrepareAndFindDirectoryAsync(first, "base-active", null);
            await first.CommitAsync("base", "base-active");
        }

        Directory.Delete(layer, recursive: true);
        await using ISnapshotter reopened = Open();
        await reopened.CleanupAsync();
        Assert.That((await reopened.StatAsync("base")).Kind, Is.EqualTo(SnapshotKind.Committed));
    }

    /// <summary>Commits "base", then prepares "lost" on it and writes a file there, and loses that Prepare's commit; returns its directory.</summary>
    private async Task<string> LoseCreateAsync()
    {
        await using (ISnapshotter first = Open())
        {
            await first.PrepareAsync("base-active", null);
            await first.CommitAsync("base", "base-active");
        }

        string[] saved = SaveDatabase();
        string lostDirectory;
        await using (ISnapshotter second = Open())
        {
            lostDirectory = await PrepareAndFindDirectoryAsync(second, "lost", "base");
            File.WriteAllText(Path.Combine(lostDirectory, "fs", "written"), "by the lost container");
        }

        RestoreDatabase(saved);
        return lostDirectory;
    }

    private ISnapshotter Open() => kind == "overlay" ? new OverlaySnapshotter(_root) : new NativeSnapshotter(_root);

    /// <summary>Prepares <paramref name="key"/> and returns its directory.</summary>
    private Task<string> PrepareAndFindDirectoryAsync(ISnapshotter snapshotter, string key, string? parent) =>
        FindNewDirectoryAsync(() => snapshotter.PrepareAsync(key, parent));

    /// <summary>Runs a create and returns the one snapshot directory it added.</summary>
    private async Task<string> FindNewDirectoryAsync(Func<ValueTask<IReadOnlyList<Containers.Mounts.Mount>>> create)
    {
        HashSet<string> before = Directory.Exists(_snapshots) ? [.. Directory.GetDirectories(_snapshots)] : [];
        await create();
        string[] added = [.. Directory.GetDirectories(_snapshots).Where(d => !before.Contains(d))];
        Assert.That(added, Has.Length.EqualTo(1));
        return added[0];
    }

    /// <summary>Copies the database files (the snapshotter is closed, so its log is checkpointed).</summary>
    private string[] SaveDatabase()
    {
        string[] files = Directory.GetFiles(_root, "metadata.db*");
        foreach (string file in files)
        {
            File.Copy(file, file + ".saved");
        }

        return files;
    }

    private static void RestoreDatabase(string[] saved)
    {
        foreach (string file in Directory.GetFiles(Path.GetDirectoryName(saved[0])!, "metadata.db*").Where(f => !f.EndsWith(".saved", StringComparison.Ordinal)))
        {
            File.Delete(file);
        }

        foreach (string file in saved)
        {
            File.Move(file + ".saved", file);
        }
    }

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
