using Containers.Mounts;
using Containers.Snapshots.Mounting;
using Containers.Snapshots.Tests.Apply;
using Containers.Testing;
using static Containers.Snapshots.Tests.Testsuite.FsOps;

namespace Containers.Snapshots.Tests.Testsuite;

/// <summary>
/// containerd's snapshotter testsuite (snapshots/testsuite), rewritten for NUnit: every snapshotter
/// runs it against real mounts. Each test gets a snapshotter root and a work area for mount points;
/// whatever a test leaves mounted is unmounted in TearDown.
/// </summary>
[NonParallelizable]
public abstract class SnapshotterTestsuite
{
    private static readonly Dictionary<string, string> GcRoot = new() { ["containerd.io/gc.root"] = DateTimeOffset.UtcNow.ToString("O") };
    private readonly List<string> _mounted = [];
    private TempDirectory _temp = null!;

    /// <summary>The snapshotter under test.</summary>
    protected ISnapshotter Snapshotter { get; private set; } = null!;

    /// <summary>The snapshotter's root directory.</summary>
    protected string Root => _temp.Combine("root");

    private string Work => _temp.Combine("work");

    /// <summary>Creates the snapshotter under test at <paramref name="root"/>.</summary>
    protected abstract ISnapshotter CreateSnapshotter(string root);

    [SetUp]
    public void SetUpSuite()
    {
        if (Environment.UserName != "root" && Environment.GetEnvironmentVariable("USER") != "root" && !IsRoot())
        {
            Assert.Ignore("snapshotter tests mount filesystems and need root");
        }

        _temp = new TempDirectory("snap-suite-");
        Directory.CreateDirectory(Root);
        Directory.CreateDirectory(Work);
        Snapshotter = CreateSnapshotter(Root);
    }

    [TearDown]
    public async Task TearDownSuite()
    {
        for (int i = _mounted.Count - 1; i >= 0; i--)
        {
            MountHelper.Unmount(_mounted[i]);
        }

        _mounted.Clear();
        if (Snapshotter is not null)
        {
            await Snapshotter.DisposeAsync();
        }

        _temp?.Dispose();
    }

    [Test]
    public async Task Basic()
    {
        Action<string> initial = Ops(CreateFile("/foo", "foo\n", 0x1FF), CreateDir("/a", 0x1ED), CreateDir("/a/b", 0x1ED), CreateDir("/a/b/c", 0x1ED));
        Action<string> diff = Ops(CreateFile("/bar", "bar\n", 0x1FF), CreateFile("/foo", "bar\n", 0x1FF), RemoveAll("/a/b"));

        string preparing = await PrepareMountAsync("preparing", null);
        initial(preparing);
        Unmount(preparing);
        string committed = Path.Combine(Work, "committed");
        await Snapshotter.CommitAsync(committed, KeyOf(preparing), GcRoot);
        SnapshotInfo si = await Snapshotter.StatAsync(committed);
        Assert.That(si.Parent, Is.Null);
        Assert.That(si.Kind, Is.EqualTo(SnapshotKind.Committed));
        Assert.ThrowsAsync<NotFoundException>(async () => await Snapshotter.StatAsync(KeyOf(preparing)), "the active snapshot is gone after commit");

        string next = await PrepareMountAsync("nextlayer", committed);
        AssertTreeEquals(next, initial);
        diff(next);
        SnapshotInfo ni = await Snapshotter.StatAsync(KeyOf(next));
        Assert.That(ni.Parent, Is.EqualTo(committed));
        Assert.That(ni.Kind, Is.EqualTo(SnapshotKind.Active));
        Unmount(next);
        string nextCommitted = Path.Combine(Work, "committed-next");
        await Snapshotter.CommitAsync(nextCommitted, KeyOf(next), GcRoot);
        SnapshotInfo si2 = await Snapshotter.StatAsync(nextCommitted);
        Assert.That(si2.Parent, Is.EqualTo(committed));
        Assert.That(si2.Kind, Is.EqualTo(SnapshotKind.Committed));
        Assert.ThrowsAsync<NotFoundException>(async () => await Snapshotter.StatAsync(KeyOf(next)));

        var walked = new Dictionary<string, SnapshotInfo>();
        await foreach (SnapshotInfo info in Snapshotter.WalkAsync())
        {
            walked[info.Name] = info;
        }

        AssertSameInfo(walked[si.Name], si);
        AssertSameInfo(walked[si2.Name], si2);

        string nextnext = Path.Combine(Work, "nextnextlayer");
        Directory.CreateDirectory(nextnext);
        Mount(await Snapshotter.ViewAsync(nextnext, nextCommitted, GcRoot), nextnext);
        AssertTreeEquals(nextnext, Ops(initial, diff));
        Unmount(nextnext);
        await Snapshotter.RemoveAsync(nextnext);
        Assert.ThrowsAsync<FailedPreconditionException>(async () => await Snapshotter.RemoveAsync(committed), "a parent cannot be removed");
        await Snapshotter.RemoveAsync(nextCommitted);
        await Snapshotter.RemoveAsync(committed);
    }

    [Test]
    public async Task StatActive()
    {
        string preparing = await PrepareMountAsync("preparing", null);
        File.WriteAllText(Path.Combine(preparing, "foo"), "foo\n");
        SnapshotInfo si = await Snapshotter.StatAsync(KeyOf(preparing));
        Assert.That(si.Name, Is.EqualTo(KeyOf(preparing)));
        Assert.That(si.Kind, Is.EqualTo(SnapshotKind.Active));
        Assert.That(si.Parent, Is.Null);
    }

    [Test]
    public async Task StatCommitted()
    {
        string preparing = await PrepareMountAsync("preparing", null);
        File.WriteAllText(Path.Combine(preparing, "foo"), "foo\n");
        Unmount(preparing);
        string committed = Path.Combine(Work, "committed");
        await Snapshotter.CommitAsync(committed, KeyOf(preparing), GcRoot);
        SnapshotInfo si = await Snapshotter.StatAsync(committed);
        Assert.That(si.Name, Is.EqualTo(committed));
        Assert.That(si.Kind, Is.EqualTo(SnapshotKind.Committed));
        Assert.That(si.Parent, Is.Null);
        SnapshotUsage usage = await Snapshotter.UsageAsync(committed);
        Assert.That(usage.Inodes, Is.EqualTo(2), "the root directory and foo");
        Assert.That(usage.Size, Is.GreaterThan(0));
    }

    [Test]
    public async Task Transitivity()
    {
        string preparing = await PrepareMountAsync("preparing", null);
        File.WriteAllText(Path.Combine(preparing, "foo"), "foo\n");
        Unmount(preparing);
        string snapA = Path.Combine(Work, "snapA");
        await Snapshotter.CommitAsync(snapA, KeyOf(preparing), GcRoot);
        string next = await PrepareMountAsync("next", snapA);
        File.WriteAllText(Path.Combine(next, "foo"), "foo bar\n");
        Unmount(next);
        string snapB = Path.Combine(Work, "snapB");
        await Snapshotter.CommitAsync(snapB, KeyOf(next), GcRoot);

        SnapshotInfo siA = await Snapshotter.StatAsync(snapA);
        SnapshotInfo siB = await Snapshotter.StatAsync(snapB);
        SnapshotInfo siParentB = await Snapshotter.StatAsync(siB.Parent!);
        Assert.That(siA.Parent, Is.Null);
        Assert.That(siB.Parent, Is.EqualTo(snapA));
        Assert.That(siParentB.Parent, Is.Null);
    }

    [Test]
    public async Task PrepareViewFailing()
    {
        string preparing = await PrepareMountAsync("preparing", null);
        Unmount(preparing);
        string snapA = Path.Combine(Work, "snapA");
        await Snapshotter.CommitAsync(snapA, KeyOf(preparing), GcRoot);

        string newLayer = Path.Combine(Work, "newlayer");
        await Snapshotter.PrepareAsync(newLayer, snapA, GcRoot);
        Assert.ThrowsAsync<AlreadyExistsException>(async () => await Snapshotter.ViewAsync(newLayer, snapA, GcRoot));

        string prepLayer = Path.Combine(Work, "prepLayer");
        await Snapshotter.PrepareAsync(prepLayer, snapA, GcRoot);
        Assert.ThrowsAsync<AlreadyExistsException>(async () => await Snapshotter.PrepareAsync(prepLayer, snapA, GcRoot));

        string viewLayer = Path.Combine(Work, "viewLayer");
        await Snapshotter.ViewAsync(viewLayer, snapA, GcRoot);
        Assert.ThrowsAsync<AlreadyExistsException>(async () => await Snapshotter.ViewAsync(viewLayer, snapA, GcRoot));

        // Nothing of the refused calls is left on disk: one directory per snapshot.
        Assert.That(Directory.GetDirectories(Path.Combine(Root, "snapshots")), Has.Length.EqualTo(4));
    }

    [Test]
    public async Task Update()
    {
        DateTimeOffset t1 = DateTimeOffset.UtcNow;
        await BaseTestSnapshotsAsync();
        DateTimeOffset t2 = DateTimeOffset.UtcNow;
        (string Name, SnapshotKind Kind, string? Parent)[] cases =
        [
            ("c1", SnapshotKind.Committed, null), ("c2", SnapshotKind.Committed, "c1"), ("a1", SnapshotKind.Active, "c2"),
            ("a2", SnapshotKind.Active, null), ("v1", SnapshotKind.View, "c2"), ("v2", SnapshotKind.View, null),
        ];
        foreach ((string name, SnapshotKind kind, string? parent) in cases)
        {
            SnapshotInfo st = await Snapshotter.StatAsync(name);
            Assert.That(st.CreatedAt, Is.InRange(t1, t2), name);
            Assert.That(st.UpdatedAt, Is.EqualTo(st.CreatedAt), name);
            Assert.That((st.Kind, st.Parent, st.Name), Is.EqualTo((kind, parent, name)));

            DateTimeOffset created = st.CreatedAt;
            string rootTime = DateTimeOffset.UtcNow.ToString("O");
            var expected = new Dictionary<string, string> { ["l1"] = "v1", ["l2"] = "v2", ["l3"] = "v3", ["containerd.io/gc.root"] = rootTime };
            DateTimeOffset u1 = DateTimeOffset.UtcNow;
            st = await Snapshotter.UpdateAsync(st with { Parent = "doesnotexist", Labels = expected });
            DateTimeOffset u2 = DateTimeOffset.UtcNow;
            Assert.That(st.CreatedAt, Is.EqualTo(created), name);
            Assert.That(st.UpdatedAt, Is.InRange(u1, u2), name);
            Assert.That((st.Kind, st.Parent, st.Name), Is.EqualTo((kind, parent, name)), "only labels change");
            Assert.That(st.Labels, Is.EquivalentTo(expected));

            expected = new Dictionary<string, string> { ["l1"] = "updated", ["l3"] = "v3", ["containerd.io/gc.root"] = rootTime };
            st = await Snapshotter.UpdateAsync(st with { Labels = new Dictionary<string, string> { ["l1"] = "updated", ["l4"] = "v4" } }, ["labels.l1", "labels.l2"]);
            Assert.That(st.Labels, Is.EquivalentTo(expected));

            expected = new Dictionary<string, string> { ["l4"] = "v4", ["containerd.io/gc.root"] = rootTime };
            st = await Snapshotter.UpdateAsync(st with { Labels = expected }, ["labels"]);
            Assert.That(st.Labels, Is.EquivalentTo(expected));

            InvalidSpecException? error = Assert.ThrowsAsync<InvalidSpecException>(async () => await Snapshotter.UpdateAsync(st with { Parent = "doesnotexist" }, ["parent"]));
            Assert.That(error!.Message, Does.Contain("parent"));
            Assert.That((await Snapshotter.StatAsync(name)).Labels, Is.EquivalentTo(expected), "a refused update changes nothing");
        }
    }

    [Test]
    public async Task Remove()
    {
        await Snapshotter.PrepareAsync("committed-a", null, GcRoot);
        await Snapshotter.CommitAsync("committed-1", "committed-a", GcRoot);
        await Snapshotter.PrepareAsync("reuse-1", "committed-1", GcRoot);
        await Snapshotter.RemoveAsync("reuse-1");
        await Snapshotter.ViewAsync("reuse-1", "committed-1", GcRoot);
        await Snapshotter.RemoveAsync("reuse-1");
        await Snapshotter.PrepareAsync("reuse-1", null, GcRoot);
        await Snapshotter.RemoveAsync("committed-1");
        await Snapshotter.CommitAsync("committed-1", "reuse-1", GcRoot);
        Assert.ThrowsAsync<NotFoundException>(async () => await Snapshotter.RemoveAsync("reuse-1"));
        Assert.That(Directory.GetDirectories(Path.Combine(Root, "snapshots")), Has.Length.EqualTo(1), "removed snapshots leave no directory");
    }

    [Test]
    public async Task Walk()
    {
        await BaseTestSnapshotsAsync();
        await Snapshotter.UpdateAsync(new SnapshotInfo(SnapshotKind.Active, "a1") { Labels = new Dictionary<string, string> { ["team"] = "x" } }, ["labels.team"]);
        Assert.That(await WalkNamesAsync(), Is.EquivalentTo(new[] { "c1", "c2", "a1", "a2", "v1", "v2" }));
        Assert.That(await WalkNamesAsync("kind==committed"), Is.EquivalentTo(new[] { "c1", "c2" }));
        Assert.That(await WalkNamesAsync("kind==view"), Is.EquivalentTo(new[] { "v1", "v2" }));
        Assert.That(await WalkNamesAsync("parent==c2"), Is.EquivalentTo(new[] { "a1", "v1" }));
        Assert.That(await WalkNamesAsync("name==a2"), Is.EquivalentTo(new[] { "a2" }));
        Assert.That(await WalkNamesAsync("name~=^c"), Is.EquivalentTo(new[] { "c1", "c2" }));
        Assert.That(await WalkNamesAsync("labels.team==x"), Is.EquivalentTo(new[] { "a1" }));
        Assert.That(await WalkNamesAsync("kind==active,parent==c2"), Is.EquivalentTo(new[] { "a1" }), "comma is and");
        Assert.That(await WalkNamesAsync("name==c1", "name==v2"), Is.EquivalentTo(new[] { "c1", "v2" }), "several filters are or");
        Assert.That(await WalkNamesAsync("labels.\"containerd.io/gc.root\""), Has.Count.EqualTo(6));
        Assert.ThrowsAsync<InvalidFilterException>(async () => await WalkNamesAsync("name=="));
    }

    [Test]
    public async Task StatInWalk()
    {
        await BaseTestSnapshotsAsync();
        int seen = 0;
        await foreach (SnapshotInfo info in Snapshotter.WalkAsync())
        {
            SnapshotInfo stat = await Snapshotter.StatAsync(info.Name);
            AssertSameInfo(stat, info);
            seen++;
        }

        Assert.That(seen, Is.EqualTo(6));
    }

    [Test]
    public async Task CloseTwice()
    {
        string n = "closeTwice-" + Random.Shared.Next();
        await Snapshotter.PrepareAsync(n + "-prepare", null, GcRoot);
        await Snapshotter.CommitAsync(n, n + "-prepare", GcRoot);
        await Snapshotter.RemoveAsync(n);
        await Snapshotter.DisposeAsync();
        await Snapshotter.DisposeAsync();
        Assert.ThrowsAsync<ObjectDisposedException>(async () => await Snapshotter.StatAsync(n));
    }

    [Test]
    public Task LayerFileUpdate() => CheckSnapshotsAsync(
        Ops(CreateFile("/foo", "foo\n", 0x1FF)),
        Ops(CreateFile("/foo", "bar\n", 0x1FF)),
        Ops(CreateFile("/foo", "baz\n", 0x1FF), CreateFile("/bar", "bar\n", 0x1A4)));

    [Test]
    public Task RemoveDirectoryInLowerLayer() => CheckSnapshotsAsync(
        Ops(CreateDir("/lib", 0x1C0), CreateFile("/lib/hidden", "hidden\n", 0x1A4), CreateDir("/lib/a", 0x1ED), CreateFile("/lib/a/f", "f\n", 0x1A4)),
        Ops(RemoveAll("/lib")),
        Ops(CreateDir("/lib", 0x1ED), CreateFile("/lib/newfile", "new\n", 0x1A4)));

    [Test]
    public Task Chown() => CheckSnapshotsAsync(
        Ops(CreateDir("/opt", 0x1C0), CreateDir("/opt/a", 0x1C0), CreateDir("/opt/a/b", 0x1C0), CreateFile("/opt/a/b/file.txt", "hello\n", 0x1A4)),
        Ops(SetOwner("/opt", 1, 1), SetOwner("/opt/a", 1, 1), SetOwner("/opt/a/b", 1, 1), SetOwner("/opt/a/b/file.txt", 1, 1)));

    [Test]
    public Task DirectoryPermissionOnCommit() => CheckSnapshotsAsync(
        Ops(CreateDir("/dir1", 0x1C0), CreateDir("/dir2", 0x1C0), CreateDir("/dir3", 0x1C0), CreateDir("/dir4", 0x1C0),
            CreateFile("/dir4/f1", "...", 0x1A4), SetOwner("/dir1", 1, 1), SetOwner("/dir2", 1, 1), SetOwner("/dir3", 1, 1), SetOwner("/dir4", 1, 1),
            SetOwner("/dir4/f1", 1, 1)),
        Ops(CreateFile("/dir1/f1", "...", 0x1A4), SetOwner("/dir1/f1", 1, 1), Chmod("/dir2", 0x1ED), CreateDir("/dir3/sub", 0x1E8), SetOwner("/dir3/sub", 2, 2)),
        Ops(RemoveAll("/dir4/f1"), CreateDir("/dir5", 0x3ED)));

    [Test]
    public async Task RemoveIntermediateSnapshot()
    {
        string @base = await PrepareMountAsync("base", null);
        Unmount(@base);
        string committedBase = Path.Combine(Work, "committed-base");
        await Snapshotter.CommitAsync(committedBase, KeyOf(@base), GcRoot);
        string intermediate = Path.Combine(Work, "intermediate");
        await Snapshotter.PrepareAsync(intermediate, committedBase, GcRoot);
        string committedInter = Path.Combine(Work, "committed-inter");
        await Snapshotter.CommitAsync(committedInter, intermediate, GcRoot);
        string top = Path.Combine(Work, "toplayer");
        await Snapshotter.PrepareAsync(top, committedInter, GcRoot);

        Assert.ThrowsAsync<FailedPreconditionException>(async () => await Snapshotter.RemoveAsync(committedInter));
        await Snapshotter.RemoveAsync(top);
        await Snapshotter.RemoveAsync(committedInter);
        await Snapshotter.RemoveAsync(committedBase);
    }

    [Test]
    public Task DeletedFilesInChildSnapshot() => CheckSnapshotsAsync(
        Ops(CreateFile("/foo", "foo\n", 0x1FF), CreateFile("/foobar", "foobar\n", 0x1FF)),
        Ops(RemoveAll("/foobar")),
        Ops());

    [Test]
    public Task MoveFileFromLowerLayer() => CheckSnapshotsAsync(
        Ops(CreateDir("/dir1", 0x1C0), CreateFile("/dir1/f1", "Hello", 0x1A4), CreateDir("dir2", 0x1C0), CreateFile("dir2/f2", "...", 0x1A4)),
        Ops(CreateDir("/dir3", 0x1C0), CreateFile("/dir3/f1", "Hello", 0x1A4), RemoveAll("/dir1"), Link("dir2/f2", "dir3/f2"), RemoveAll("dir2/f2")));

    [Test]
    public async Task ViewReadonly()
    {
        string preparing = Path.Combine(Work, "preparing");
        await Snapshotter.PrepareAsync(preparing, null, GcRoot);
        string committed = Path.Combine(Work, "committed");
        await Snapshotter.CommitAsync(committed, preparing, GcRoot);
        string view = Path.Combine(Work, "view");
        IReadOnlyList<Mount> mounts = await Snapshotter.ViewAsync(view, committed, GcRoot);
        Assert.That(mounts.All(m => m.IsReadOnly), Is.True, "view mounts say ro");
        string mountPoint = Path.Combine(Work, "view-mount");
        Directory.CreateDirectory(mountPoint);
        Mount(mounts, mountPoint);
        IOException? error = Assert.Throws(Is.InstanceOf<IOException>().Or.InstanceOf<UnauthorizedAccessException>(),
            () => File.WriteAllText(Path.Combine(mountPoint, "testfile"), "testcontent")) as IOException;
        Assert.That(error is null || error.HResult is 30 or unchecked((int)0x8007001E) || error.Message.Contains("Read-only", StringComparison.OrdinalIgnoreCase), Is.True, error?.Message);
        Unmount(mountPoint);
        await Snapshotter.RemoveAsync(view);
        await Snapshotter.RemoveAsync(committed);
    }

    [Test]
    public async Task RootPermission()
    {
        string preparing = await PrepareMountAsync("preparing", null);
        Interop.Statx st = TreeSnapshot.LStat(preparing);
        Assert.That(st.Mode & 0xFFF, Is.EqualTo(0x1ED), "an empty snapshot's root is 0755");
        Assert.That(Interop.LChown(preparing, 7, 8), Is.Zero);
        Unmount(preparing);
        await Snapshotter.CommitAsync("root-owned", KeyOf(preparing), GcRoot);
        string child = await PrepareMountAsync("child", "root-owned");
        Interop.Statx childRoot = TreeSnapshot.LStat(child);
        Assert.That((childRoot.Uid, childRoot.Gid), Is.EqualTo((7u, 8u)), "a child's root keeps the parent root's owner");
    }

    [Test]
    public Task Rename() => CheckSnapshotsAsync(
        Ops(CreateDir("/dir1", 0x1ED), CreateDir("/somefiles", 0x1ED), CreateFile("/somefiles/f1", "was here", 0x1A4), CreateFile("/somefiles/f2", "nothing interesting", 0x1A4)),
        Ops(Move("/dir1", "/dir2"), CreateFile("/somefiles/f1-overwrite", "new content 1", 0x1A4), Move("/somefiles/f1-overwrite", "/somefiles/f1"),
            Move("/somefiles/f2", "/somefiles/f3")),
        Ops(Move("/somefiles", "/dir2/somefiles")));

    [Test]
    public Task Test128LayersMount() => CheckManyLayersAsync(128);

    /// <summary>Builds <paramref name="count"/> layers, each adding a file and overwriting one, and checks the top through a view and an active snapshot.</summary>
    protected async Task CheckManyLayersAsync(int count)
    {
        string? parent = null;
        Action<string> all = Ops(CreateDir("/layers", 0x1ED));
        for (int i = 0; i < count; i++)
        {
            string key = "layer-" + i + "-active";
            string mount = Path.Combine(Work, "m");
            Directory.CreateDirectory(mount);
            Action<string> layer = i == 0
                ? Ops(CreateDir("/layers", 0x1ED), CreateFile("/top", "0", 0x1A4), CreateFile("/layers/0", "0", 0x1A4))
                : Ops(CreateFile("/top", i.ToString(System.Globalization.CultureInfo.InvariantCulture), 0x1A4), CreateFile("/layers/" + i, i.ToString(System.Globalization.CultureInfo.InvariantCulture), 0x1A4));
            Mount(await Snapshotter.PrepareAsync(key, parent, GcRoot), mount);
            layer(mount);
            Unmount(mount);
            all = Ops(all, layer);
            string name = "layer-" + i;
            await Snapshotter.CommitAsync(name, key, GcRoot);
            parent = name;
        }

        string view = Path.Combine(Work, "view");
        Directory.CreateDirectory(view);
        Mount(await Snapshotter.ViewAsync("top-view", parent, GcRoot), view);
        AssertTreeEquals(view, all);
        Assert.That(File.ReadAllText(Path.Combine(view, "top")), Is.EqualTo((count - 1).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Unmount(view);

        string active = await PrepareMountAsync("top-active", parent);
        AssertTreeEquals(active, all);
        File.WriteAllText(Path.Combine(active, "top"), "written");
        Assert.That(File.ReadAllText(Path.Combine(active, "top")), Is.EqualTo("written"));
    }

    /// <summary>Key of the snapshot prepared for a mount point (the testsuite uses the mount point path as key).</summary>
    protected static string KeyOf(string mountPoint) => mountPoint;

    /// <summary>Prepares an active snapshot keyed by its mount point under the work area and mounts it.</summary>
    protected async Task<string> PrepareMountAsync(string name, string? parent)
    {
        string target = Path.Combine(Work, name);
        Directory.CreateDirectory(target);
        IReadOnlyList<Mount> mounts = await Snapshotter.PrepareAsync(target, parent, GcRoot);
        Assert.That(mounts, Is.Not.Empty);
        Mount(mounts, target);
        return target;
    }

    /// <summary>Mounts and remembers the target for TearDown.</summary>
    protected void Mount(IReadOnlyList<Mount> mounts, string target)
    {
        MountHelper.MountAll(mounts, target);
        _mounted.Add(target);
    }

    /// <summary>Unmounts a target mounted with <see cref="Mount"/>.</summary>
    protected void Unmount(string target)
    {
        MountHelper.Unmount(target);
        _mounted.Remove(target);
    }

    /// <summary>
    /// containerd's checkSnapshots: each applier becomes a layer (prepare on the previous, apply, check the
    /// mounted tree equals all appliers so far applied to a plain directory, commit); then a view of the top is checked.
    /// </summary>
    protected async Task CheckSnapshotsAsync(params Action<string>[] layers)
    {
        string? parent = null;
        Action<string> all = Ops();
        for (int i = 0; i < layers.Length; i++)
        {
            string mount = await PrepareMountAsync("preparing-" + i, parent);
            layers[i](mount);
            all = Ops(all, layers[i]);
            AssertTreeEquals(mount, all);
            Unmount(mount);
            string committed = "committed-" + i;
            await Snapshotter.CommitAsync(committed, KeyOf(mount), GcRoot);
            parent = committed;
        }

        string view = Path.Combine(Work, "check-view");
        Directory.CreateDirectory(view);
        Mount(await Snapshotter.ViewAsync("check-view", parent, GcRoot), view);
        AssertTreeEquals(view, all);
        Unmount(view);
        await Snapshotter.RemoveAsync("check-view");
    }

    /// <summary>Applies <paramref name="applier"/> to a fresh directory and compares the trees (types, modes, owners, contents, links, xattrs).</summary>
    protected void AssertTreeEquals(string actual, Action<string> applier)
    {
        string expected = Path.Combine(_temp.Path, "expected-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(expected);
        try
        {
            applier(expected);
            Assert.That(TreeSnapshot.Capture(actual, withTimes: false), Is.EqualTo(TreeSnapshot.Capture(expected, withTimes: false)));
        }
        finally
        {
            Directory.Delete(expected, recursive: true);
        }
    }

    private async Task BaseTestSnapshotsAsync()
    {
        await Snapshotter.PrepareAsync("c1-a", null, GcRoot);
        await Snapshotter.CommitAsync("c1", "c1-a", GcRoot);
        await Snapshotter.PrepareAsync("c2-a", "c1", GcRoot);
        await Snapshotter.CommitAsync("c2", "c2-a", GcRoot);
        await Snapshotter.PrepareAsync("a1", "c2", GcRoot);
        await Snapshotter.PrepareAsync("a2", null, GcRoot);
        await Snapshotter.ViewAsync("v1", "c2", GcRoot);
        await Snapshotter.ViewAsync("v2", null, GcRoot);
    }

    private async Task<List<string>> WalkNamesAsync(params string[] filters)
    {
        var names = new List<string>();
        await foreach (SnapshotInfo info in Snapshotter.WalkAsync(filters))
        {
            names.Add(info.Name);
        }

        return names;
    }

    private static void AssertSameInfo(SnapshotInfo actual, SnapshotInfo expected)
    {
        Assert.That((actual.Kind, actual.Name, actual.Parent, actual.CreatedAt, actual.UpdatedAt), Is.EqualTo((expected.Kind, expected.Name, expected.Parent, expected.CreatedAt, expected.UpdatedAt)));
        Assert.That(actual.Labels, Is.EquivalentTo(expected.Labels));
    }

    private static bool IsRoot() => File.ReadAllLines("/proc/self/status").Any(l => l.StartsWith("Uid:", StringComparison.Ordinal) && l.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1] == "0");
}
