using System.Collections.Concurrent;
using Containers.Content;
using Containers.Images;
using Containers.Oci.Image;
using Containers.Snapshots;
using Containers.Testing;
using Containers.Unpack;

namespace Containers.Lifecycle.Tests.Unpack;

/// <summary>
/// <see cref="Unpacker"/> on real overlayfs and native snapshotters with an image built from busybox-static
/// plus two layers of whiteouts, an opaque directory, links, devices, special modes, owners and xattrs.
/// </summary>
[NonParallelizable]
public sealed class UnpackerTests
{
    private UnpackFixture _fixture = null!;
    private string _layout = null!;
    private OciTestImage.Result _built = null!;

    [SetUp]
    public async Task SetUp()
    {
        TestHost.RequireRoot("mounts and device nodes");
        TestHost.RequireTool(BusyboxRootfs.BusyboxPath, "busybox-static");
        _fixture = new UnpackFixture();
        _layout = _fixture.Temp.Combine("layout");
        _built = await RichTestImage.WriteAsync(_layout);
    }

    [TearDown]
    public async Task TearDown()
    {
        if (_fixture is not null)
        {
            await _fixture.DisposeAsync();
        }
    }

    [Test]
    public async Task OverlayAndNativeGiveTheSameTreeAndBusyboxRunsFromIt()
    {
        Image image = await _fixture.ImportAsync(_layout);
        Dictionary<string, List<string>> trees = [];
        foreach (string name in new[] { "overlayfs", "native" })
        {
            ISnapshotter snapshotter = _fixture.Snapshotter(name);
            UnpackResult result = await new Unpacker(_fixture.Content, snapshotter, name).UnpackAsync(image);
            Assert.That(result.ChainIds.Select(c => c.ToString()), Is.EqualTo(ChainIds.Compute(_built.DiffIds.Select(Digest.Parse)).Select(c => c.ToString())));
            Assert.That((result.Applied, result.Skipped), Is.EqualTo((3, 0)));
            List<SnapshotInfo> all = await UnpackFixture.WalkAsync(snapshotter);
            Assert.That(all.Select(s => (s.Kind, s.Name)), Is.EquivalentTo(result.ChainIds.Select(c => (SnapshotKind.Committed, c.ToString()))),
                "one committed snapshot per layer, named by chain id, and no extraction snapshot left");
            SnapshotInfo top = await snapshotter.StatAsync(result.TopChainId.ToString());
            Assert.That(top.Parent, Is.EqualTo(result.ChainIds[1].ToString()));

            string root = await _fixture.MountViewAsync(snapshotter, result.TopChainId.ToString(), name);
            Assert.That(File.ReadAllText(Path.Combine(root, "data/a")), Is.EqualTo("changed\n"));
            Assert.That(File.Exists(Path.Combine(root, "etc/motd")), Is.False, "whiteout");
            Assert.That(Directory.Exists(Path.Combine(root, "data/sub")), Is.False, "directory whiteout");
            Assert.That(Directory.GetFileSystemEntries(Path.Combine(root, "opaque")).Select(Path.GetFileName), Is.EqualTo(new[] { "new" }), "opaque directory");
            Assert.That(File.ReadAllText(Path.Combine(root, "replace/thing/inner")), Is.EqualTo("inner\n"));
            ToolResult caps = await Tool.RunAsync("/usr/sbin/getcap", [Path.Combine(root, "modes/capped")]);
            Assert.That(caps.StandardOutput, Does.Contain("cap_net_admin,cap_net_raw=ep"), caps.StandardError);
            ToolResult run = await Tool.RunAsync("chroot", [root, "/bin/busybox", "cat", "/data/b"]);
            Assert.That((run.ExitCode, run.StandardOutput), Is.EqualTo((0, "b\n")), run.StandardError);
            trees[name] = FileTree.Capture(root, withTimes: true);
        }

        Assert.That(FileTree.Differences(trees["overlayfs"], trees["native"], "overlayfs", "native"), Is.Empty);
    }

    /// <summary>
    /// An overlay snapshotter mounting with <c>userxattr</c> (as in a user namespace; forced here in the initial one)
    /// gets its layers with <c>user.overlay.*</c> markers, so the opaque directory still hides the lower one: the view
    /// equals the native snapshotter's tree.
    /// </summary>
    [Test]
    public async Task AUserxattrOverlaySnapshotterGetsUserOverlayMarkersAndTheSameTreeAsNative()
    {
        Image image = await _fixture.ImportAsync(_layout);
        await using var overlay = new OverlaySnapshotter(_fixture.Temp.Combine("snapshots", "userxattr"), new OverlaySnapshotterOptions { UserXattr = true });
        ISnapshotter native = _fixture.Snapshotter("native");
        UnpackResult result = await new Unpacker(_fixture.Content, overlay, "overlayfs").UnpackAsync(image);
        await new Unpacker(_fixture.Content, native, "native").UnpackAsync(image);

        string view = await _fixture.MountViewAsync(overlay, result.TopChainId.ToString(), "userxattr");
        Assert.That(Directory.GetFileSystemEntries(Path.Combine(view, "opaque")).Select(Path.GetFileName), Is.EqualTo(new[] { "new" }), "opaque directory");
        Assert.That(File.Exists(Path.Combine(view, "etc/motd")), Is.False, "whiteout");
        string nativeView = await _fixture.MountViewAsync(native, result.TopChainId.ToString(), "native");
        Assert.That(FileTree.Differences(FileTree.Capture(view, withTimes: true), FileTree.Capture(nativeView, withTimes: true), "userxattr overlay", "native"), Is.Empty);
    }

    [Test]
    public async Task ASecondUnpackSkipsEveryLayerAndTheConfigCarriesTheGcLabel()
    {
        Image image = await _fixture.ImportAsync(_layout);
        ISnapshotter snapshotter = _fixture.Snapshotter("overlayfs");
        Unpacker unpacker = new(_fixture.Content, snapshotter, "overlayfs");
        UnpackResult first = await unpacker.UnpackAsync(image);

        List<UnpackProgress> reports = [];
        UnpackResult second = await unpacker.UnpackAsync(image, progress: new SyncProgress<UnpackProgress>(reports.Add));
        Assert.That((second.Applied, second.Skipped), Is.EqualTo((0, 3)));
        Assert.That(reports.Select(r => (r.Index, r.State)), Is.EqualTo(new[] { (0, UnpackLayerState.Skipped), (1, UnpackLayerState.Skipped), (2, UnpackLayerState.Skipped) }));

        ContentInfo config = await _fixture.Content.InfoAsync(first.Config.Digest);
        Assert.That(config.Labels["containerd.io/gc.ref.snapshot.overlayfs"], Is.EqualTo(first.TopChainId.ToString()));
        for (int i = 0; i < 3; i++)
        {
            ContentInfo layer = await _fixture.Content.InfoAsync(Digest.Parse(_built.LayerDigests[i]));
            Assert.That(layer.Labels["containerd.io/uncompressed"], Is.EqualTo(_built.DiffIds[i]));
        }
    }

    [Test]
    public async Task ASecondUnpackWritesNoLabelThatIsSetAndRestoresOneThatWasRemoved()
    {
        Image image = await _fixture.ImportAsync(_layout);
        ISnapshotter snapshotter = _fixture.Snapshotter("overlayfs");
        Unpacker unpacker = new(_fixture.Content, snapshotter, "overlayfs");
        UnpackResult first = await unpacker.UnpackAsync(image);
        const string gcLabel = "containerd.io/gc.ref.snapshot.overlayfs";
        ContentInfo before = await _fixture.Content.InfoAsync(first.Config.Digest);

        _ = await unpacker.UnpackAsync(image);
        ContentInfo untouched = await _fixture.Content.InfoAsync(first.Config.Digest);
        _ = await _fixture.Content.UpdateAsync(new ContentInfo { Digest = first.Config.Digest }, ["labels." + gcLabel]);
        _ = await unpacker.UnpackAsync(image);
        ContentInfo restored = await _fixture.Content.InfoAsync(first.Config.Digest);

        Assert.Multiple(() =>
        {
            Assert.That(untouched.UpdatedAt, Is.EqualTo(before.UpdatedAt), "labels already set are not written again");
            Assert.That(restored.Labels[gcLabel], Is.EqualTo(first.TopChainId.ToString()), "a removed label is written again");
        });
    }

    [Test]
    public async Task ProgressReportsEachLayerStartingAndDone()
    {
        Image image = await _fixture.ImportAsync(_layout);
        List<UnpackProgress> reports = [];
        await new Unpacker(_fixture.Content, _fixture.Snapshotter("native"), "native").UnpackAsync(image, progress: new SyncProgress<UnpackProgress>(reports.Add));
        Assert.That(reports.Select(r => (r.Index, r.Count, r.State)), Is.EqualTo(new[]
        {
            (0, 3, UnpackLayerState.Applying), (0, 3, UnpackLayerState.Applied),
            (1, 3, UnpackLayerState.Applying), (1, 3, UnpackLayerState.Applied),
            (2, 3, UnpackLayerState.Applying), (2, 3, UnpackLayerState.Applied),
        }));
    }

    [Test]
    public async Task ConcurrentUnpacksOfOneImageApplyEachLayerOnce([Values("overlayfs", "native")] string name)
    {
        Image image = await _fixture.ImportAsync(_layout);
        ISnapshotter snapshotter = _fixture.Snapshotter(name);
        ConcurrentBag<UnpackProgress> reports = [];
        SyncProgress<UnpackProgress> progress = new(reports.Add);
        UnpackResult[] results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ =>
            Task.Run(() => new Unpacker(_fixture.Content, snapshotter, name).UnpackAsync(image, progress: progress))));

        Assert.That(results.Sum(r => r.Applied), Is.EqualTo(3), "each layer applied by exactly one of the four");
        Assert.That(results.Sum(r => r.Skipped), Is.EqualTo(9));
        Assert.That(reports.Count(r => r.State == UnpackLayerState.Applying), Is.EqualTo(3));
        Assert.That(results.Select(r => r.TopChainId).Distinct().Count(), Is.EqualTo(1));
        List<SnapshotInfo> all = await UnpackFixture.WalkAsync(snapshotter);
        Assert.That(all, Has.Count.EqualTo(3));
        Assert.That(all.All(s => s.Kind == SnapshotKind.Committed), Is.True);
    }

    [Test]
    public async Task TwoSnapshotterObjectsOverOneRootKeepTheFirstCommit()
    {
        // Different snapshotter objects share no flight (as two processes would not): both apply, the
        // second commit meets AlreadyExists and counts as success; its extraction snapshot is removed.
        Image image = await _fixture.ImportAsync(_layout);
        string root = _fixture.Temp.Combine("snapshots", "shared");
        ISnapshotter one = _fixture.Snapshotter("native", root);
        ISnapshotter two = _fixture.Snapshotter("native", root);
        UnpackResult[] results = await Task.WhenAll(
            Task.Run(() => new Unpacker(_fixture.Content, one, "native").UnpackAsync(image)),
            Task.Run(() => new Unpacker(_fixture.Content, two, "native").UnpackAsync(image)));
        Assert.That(results[0].TopChainId, Is.EqualTo(results[1].TopChainId));
        Assert.That(results.Sum(r => r.Applied), Is.InRange(3, 6));
        List<SnapshotInfo> all = await UnpackFixture.WalkAsync(one);
        Assert.That(all.Select(s => (s.Kind, s.Name)), Is.EquivalentTo(results[0].ChainIds.Select(c => (SnapshotKind.Committed, c.ToString()))));
    }

    [Test]
    public async Task ADiffIdMismatchThrowsAndLeavesNoSnapshotOfThatLayer([Values("overlayfs", "native")] string name, [Values(0L, 1L << 20)] long decompressAhead)
    {
        string wrong = "sha256:" + new string('a', 64);
        UnpackFixture.EditConfig(_layout, config => config["rootfs"]!["diff_ids"]![1] = wrong);
        Image image = await _fixture.ImportAsync(_layout);
        ISnapshotter snapshotter = _fixture.Snapshotter(name);

        DigestMismatchException error = Assert.ThrowsAsync<DigestMismatchException>(() => new Unpacker(_fixture.Content, snapshotter, name).UnpackAsync(image, new UnpackOptions { DecompressAheadBytes = decompressAhead }))!;
        Assert.That(error.Expected.ToString(), Is.EqualTo(wrong));
        Assert.That(error.Actual?.ToString(), Is.EqualTo(_built.DiffIds[1]));
        List<SnapshotInfo> all = await UnpackFixture.WalkAsync(snapshotter);
        Assert.That(all.Select(s => (s.Kind, s.Name)), Is.EqualTo(new[] { (SnapshotKind.Committed, _built.DiffIds[0]) }),
            "the base layer stays committed; the failed layer's extraction snapshot is gone");
        Assert.That(Directory.GetDirectories(_fixture.Temp.Combine("snapshots", name, "snapshots")), Has.Length.EqualTo(1), "no directory of the failed layer is left");
    }

    [Test]
    public async Task CancellingWhileALayerIsAppliedRemovesItsSnapshot([Values(0L, 1L << 20)] long decompressAhead)
    {
        Image image = await _fixture.ImportAsync(_layout);
        ISnapshotter snapshotter = _fixture.Snapshotter("native");
        using CancellationTokenSource cts = new();
        // Cancel from inside the apply: the first file of layer 1 is read after Prepare has created its snapshot.
        SyncProgress<UnpackProgress> progress = new(p =>
        {
            if (p is { Index: 1, State: UnpackLayerState.Applying })
            {
                cts.CancelAfter(TimeSpan.FromMilliseconds(1));
            }
        });
        Assert.That(async () => await new Unpacker(_fixture.Content, snapshotter, "native").UnpackAsync(image, new UnpackOptions { DecompressAheadBytes = decompressAhead }, progress, cts.Token),
            Throws.InstanceOf<OperationCanceledException>());
        List<SnapshotInfo> all = await UnpackFixture.WalkAsync(snapshotter);
        Assert.That(all.Select(s => (s.Kind, s.Name)), Is.EqualTo(new[] { (SnapshotKind.Committed, _built.DiffIds[0]) }));

        UnpackResult resumed = await new Unpacker(_fixture.Content, snapshotter, "native").UnpackAsync(image);
        Assert.That((resumed.Applied, resumed.Skipped), Is.EqualTo((2, 1)), "a later unpack resumes after the committed base layer");
    }
}
