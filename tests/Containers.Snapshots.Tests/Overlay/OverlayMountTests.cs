using System.Globalization;
using Containers.Mounts;
using Containers.Snapshots.Mounting;
using Containers.Testing;

namespace Containers.Snapshots.Tests.Overlay;

/// <summary>
/// What <see cref="OverlaySnapshotter"/> hands out (mount shapes, as containerd's overlay snapshotter) and
/// how <see cref="MountHelper"/> mounts overlays whose options exceed mount(2)'s one page.
/// </summary>
[NonParallelizable]
public sealed class OverlayMountTests
{
    private TempDirectory _temp = null!;
    private OverlaySnapshotter _snapshotter = null!;
    private readonly List<string> _mounted = [];

    [SetUp]
    public void SetUp()
    {
        if (!OverlaySnapshotter.IsSupported() || !File.ReadAllLines("/proc/self/status").Any(l => l.StartsWith("Uid:\t0\t", StringComparison.Ordinal)))
        {
            Assert.Ignore("needs root and overlayfs");
        }

        _temp = new TempDirectory("snap-overlay-");
        _snapshotter = new OverlaySnapshotter(_temp.Combine("root"));
    }

    [TearDown]
    public async Task TearDown()
    {
        foreach (string target in Enumerable.Reverse(_mounted))
        {
            MountHelper.Unmount(target);
        }

        _mounted.Clear();
        MountHelper.ForcedStrategy = null;
        await _snapshotter.DisposeAsync();
        _temp.Dispose();
    }

    [Test]
    public async Task MountShapesFollowContainerd()
    {
        IReadOnlyList<Mount> empty = await _snapshotter.PrepareAsync("a", null);
        Assert.That(empty, Has.Count.EqualTo(1));
        Assert.That((empty[0].Type, empty[0].Options), Is.EqualTo(("bind", (IReadOnlyList<string>)["rw", "rbind"])).Using<(string, IReadOnlyList<string>)>(SameMount));
        string fsA = empty[0].Source;
        await _snapshotter.CommitAsync("c1", "a");

        IReadOnlyList<Mount> single = await _snapshotter.ViewAsync("v1", "c1");
        Assert.That(single.Single().Type, Is.EqualTo("bind"));
        Assert.That(single.Single().Source, Is.EqualTo(fsA), "a view of one layer binds that layer");
        Assert.That(single.Single().Options, Is.EqualTo(new[] { "ro", "rbind" }));

        IReadOnlyList<Mount> active = await _snapshotter.PrepareAsync("b", "c1");
        Mount overlay = active.Single();
        Assert.That((overlay.Type, overlay.Source), Is.EqualTo(("overlay", "overlay")));
        Assert.That(overlay.Options[0], Is.EqualTo("index=off"));
        Assert.That(overlay.Options, Has.Some.StartsWith("workdir=").And.Some.StartsWith("upperdir="));
        Assert.That(overlay.Options[^1], Is.EqualTo("lowerdir=" + fsA));
        Assert.That(overlay.IsReadOnly, Is.False);
        await _snapshotter.CommitAsync("c2", "b");

        Mount view = (await _snapshotter.ViewAsync("v2", "c2")).Single();
        Assert.That(view.Type, Is.EqualTo("overlay"));
        Assert.That(view.Options, Has.None.StartsWith("upperdir=").And.None.StartsWith("workdir="));
        Assert.That(view.IsReadOnly, Is.True);
        string lower = view.Options.Single(o => o.StartsWith("lowerdir=", StringComparison.Ordinal))["lowerdir=".Length..];
        Assert.That(lower.Split(':'), Has.Length.EqualTo(2));
        Assert.That(lower.Split(':')[1], Is.EqualTo(fsA), "nearest parent first, the base layer last");

        Assert.That(await _snapshotter.MountsAsync("v2"), Is.EqualTo(new[] { view }), "Mounts returns the same mounts again");
        Assert.ThrowsAsync<FailedPreconditionException>(async () => await _snapshotter.MountsAsync("c2"));
    }

    [Test]
    public async Task UserXattrOptionIsPassed()
    {
        await using var snapshotter = new OverlaySnapshotter(_temp.Combine("ux"), new OverlaySnapshotterOptions { UserXattr = true });
        await snapshotter.PrepareAsync("a", null);
        await snapshotter.CommitAsync("c1", "a");
        Mount overlay = (await snapshotter.PrepareAsync("b", "c1")).Single();
        Assert.That(overlay.Options, Does.Contain("userxattr"));
        string target = _temp.Combine("ux-mnt");
        Directory.CreateDirectory(target);
        MountHelper.MountAll([overlay], target);
        _mounted.Add(target);
        File.WriteAllText(Path.Combine(target, "f"), "x");
        Assert.That(MountOptionsOf(target), Does.Contain("userxattr"));
    }

    [Test]
    public async Task UserXattrIsOffInTheInitialUserNamespace()
    {
        Assume.That(File.ReadAllText("/proc/self/uid_map").Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(new[] { "0", "0", "4294967295" }), "runs in the initial user namespace");
        await _snapshotter.PrepareAsync("a", null);
        await _snapshotter.CommitAsync("c1", "a");
        Assert.That((await _snapshotter.PrepareAsync("b", "c1")).Single().Options, Does.Not.Contain("userxattr"));
    }

    [TestCase(null, 160)]
    [TestCase("LowerDirPlus", 300)]
    [TestCase("DescriptorRelative", 150)]
    public async Task ManyLayersMountBeyondOnePage(string? strategy, int layers)
    {
        string? parent = null;
        for (int i = 0; i < layers; i++)
        {
            string key = "l" + i + "-active";
            IReadOnlyList<Mount> mounts = await _snapshotter.PrepareAsync(key, parent);
            // Filled through the upper directory directly (the snapshot is not mounted): quicker than 300 mounts, same result.
            string upper = mounts[0].Type == "bind" ? mounts[0].Source : mounts[0].Options.Single(o => o.StartsWith("upperdir=", StringComparison.Ordinal))["upperdir=".Length..];
            File.WriteAllText(Path.Combine(upper, "top"), i.ToString(CultureInfo.InvariantCulture));
            File.WriteAllText(Path.Combine(upper, "layer-" + i), string.Empty);
            await _snapshotter.CommitAsync("l" + i, key);
            parent = "l" + i;
        }

        Mount view = (await _snapshotter.ViewAsync("view", parent)).Single();
        Mount active = (await _snapshotter.PrepareAsync("active", parent)).Single();
        Assert.That(string.Join(',', view.Options).Length, Is.GreaterThan(MountHelper.MountDataLimit), "the test must exceed one page");

        MountHelper.ForcedStrategy = strategy is null ? null : Enum.Parse<LongOverlayStrategy>(strategy);
        string viewTarget = _temp.Combine("view-mnt");
        string activeTarget = _temp.Combine("active-mnt");
        Directory.CreateDirectory(viewTarget);
        Directory.CreateDirectory(activeTarget);
        MountHelper.MountAll([view], viewTarget);
        _mounted.Add(viewTarget);
        MountHelper.MountAll([active], activeTarget);
        _mounted.Add(activeTarget);

        foreach (string target in new[] { viewTarget, activeTarget })
        {
            Assert.That(File.ReadAllText(Path.Combine(target, "top")), Is.EqualTo((layers - 1).ToString(CultureInfo.InvariantCulture)), "the top layer wins");
            Assert.That(Directory.GetFiles(target, "layer-*"), Has.Length.EqualTo(layers), "every layer is visible");
            Assert.That(FsTypeOf(target), Is.EqualTo("overlay"));
        }

        Assert.Throws(Is.InstanceOf<IOException>().Or.InstanceOf<UnauthorizedAccessException>(), () => File.WriteAllText(Path.Combine(viewTarget, "x"), "x"));
        File.WriteAllText(Path.Combine(activeTarget, "written"), "yes");
        string upperdir = active.Options.Single(o => o.StartsWith("upperdir=", StringComparison.Ordinal))["upperdir=".Length..];
        Assert.That(File.ReadAllText(Path.Combine(upperdir, "written")), Is.EqualTo("yes"), "writes land in the active snapshot's upper directory");
    }

    [Test]
    public void UnknownMountTypeIsRefused()
    {
        string target = _temp.Combine("t");
        Directory.CreateDirectory(target);
        Assert.Throws<UnsupportedException>(() => MountHelper.MountAll([new Mount("nfs", "host:/x", [])], target));
    }

    private static bool SameMount((string, IReadOnlyList<string>) a, (string, IReadOnlyList<string>) b) => a.Item1 == b.Item1 && a.Item2.SequenceEqual(b.Item2);

    private static string[] MountInfoFields(string target)
    {
        string? line = File.ReadAllLines("/proc/self/mountinfo").LastOrDefault(l => l.Split(' ')[4] == target);
        Assert.That(line, Is.Not.Null, $"{target} is a mount point");
        return line!.Split(" - ")[1].Split(' ');
    }

    private static string FsTypeOf(string target) => MountInfoFields(target)[0];

    private static string MountOptionsOf(string target) => MountInfoFields(target)[2];
}
