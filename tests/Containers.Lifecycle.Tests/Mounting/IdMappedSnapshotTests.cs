using System.Formats.Tar;
using Containers.Diff;
using Containers.Lifecycle.Mounting;
using Containers.Snapshots;
using Containers.Snapshots.Apply;
using Containers.Snapshots.Mounting;
using Containers.Testing;

namespace Containers.Lifecycle.Tests.Mounting;

/// <summary>
/// containerd 2.0's id-mapped overlay snapshots on this kernel: a layer whose files are owned 0:0 and 1000:1000 on
/// disk, a snapshot prepared with the uidmapping/gidmapping labels 0:100000:65536, mounted by
/// <see cref="MountHelper"/> with user namespaces from <c>runcs userns-hold</c> — owners seen from the host as
/// 100000 and 101000, writes landing in the upper directory as the mapped owners, the layer itself unchanged.
/// </summary>
[NonParallelizable]
public sealed class IdMappedSnapshotTests
{
    private const string Mapping = "0:100000:65536";
    private static readonly Dictionary<string, string> MappingLabels = new()
    {
        ["containerd.io/snapshot/uidmapping"] = Mapping,
        ["containerd.io/snapshot/gidmapping"] = Mapping,
    };

    private TempDirectory _temp = null!;
    private readonly List<string> _mounted = [];
    private IUserNamespaceProvider _provider = null!;

    [SetUp]
    public async Task SetUp()
    {
        TestHost.RequireRoot("mounts");
        _temp = new TempDirectory("idmap-snap-");
        // The mapped users below must reach the mount points (overlay itself opens its layers as the mounter).
        File.SetUnixFileMode(_temp.Path, (UnixFileMode)0b111_001_001);
        _provider = new RuncsUserNamespaceProvider(await RuncsPublisher.GetPathAsync());
    }

    [TearDown]
    public void TearDown()
    {
        foreach (string target in Enumerable.Reverse(_mounted))
        {
            MountHelper.Unmount(target);
        }

        _mounted.Clear();
        _temp?.Dispose();
    }

    [Test]
    public async Task AMappedSnapshotShowsTheLayersOwnersShiftedAndWritesLandAsTheMappedOwner()
    {
        await using OverlaySnapshotter snapshotter = new(_temp.Combine("root"));
        string layer = await CommitLayerAsync(snapshotter);
        IReadOnlyList<Mounts.Mount> mounts = await snapshotter.PrepareAsync("ctr", "layer", MappingLabels);
        Assert.That(mounts[0].Options, Does.Contain("uidmap=" + Mapping).And.Contain("gidmap=" + Mapping), "containerd's mount options");

        HashSet<string> before = IdMapTemporaries();
        string target = Mount(mounts, "merged");
        Assert.That(Owner(Path.Combine(target, "root-file")), Is.EqualTo((100000u, 100000u)));
        Assert.That(Owner(Path.Combine(target, "home/user")), Is.EqualTo((101000u, 101000u)));
        Assert.That(Owner(Path.Combine(target, "home/user/user-file")), Is.EqualTo((101000u, 101000u)));
        Assert.That(Owner(target), Is.EqualTo((100000u, 100000u)), "the merged root belongs to the container's root");
        Assert.That(IdMapTemporaries(), Is.EquivalentTo(before), "no id-mapped copy of a layer is left mounted or on disk");
        Assert.That(MountPoints().Count(p => p.Contains("containers-idmap-", StringComparison.Ordinal)), Is.Zero,
            "the mapped copies are detached once overlay holds its own clones (its options still name them)");

        // The container's root (host uid 100000) creates a file; its user (101000) changes a layer's file (copy-up).
        ToolResult created = await Tool.RunAsync("setpriv", ["--reuid=100000", "--regid=100000", "--clear-groups", "touch", Path.Combine(target, "new-file")]);
        Assert.That(created.ExitCode, Is.Zero, created.StandardError);
        ToolResult changed = await Tool.RunAsync("setpriv", ["--reuid=101000", "--regid=101000", "--clear-groups", "sh", "-c", $"echo changed >> {Path.Combine(target, "home/user/user-file")}"]);
        Assert.That(changed.ExitCode, Is.Zero, changed.StandardError);
        ToolResult refused = await Tool.RunAsync("setpriv", ["--reuid=1000", "--regid=1000", "--clear-groups", "touch", Path.Combine(target, "home/user/x")]);
        Assert.That(refused.ExitCode, Is.Not.Zero, "host uid 1000 is not the layer's 1000 any more");

        Assert.That(OverlaySnapshotter.TryGetUpperDirectory(mounts, out string? upper), Is.True);
        Assert.That(Owner(Path.Combine(upper!, "new-file")), Is.EqualTo((100000u, 100000u)));
        Assert.That(Owner(Path.Combine(upper!, "home/user/user-file")), Is.EqualTo((101000u, 101000u)), "copy-up keeps the mapped owner");
        Assert.That(File.ReadAllText(Path.Combine(upper!, "home/user/user-file")), Is.EqualTo("user\nchanged\n"));
        Assert.That(Owner(Path.Combine(layer, "home/user/user-file")), Is.EqualTo((1000u, 1000u)), "the layer is not chowned");
        Assert.That(File.ReadAllText(Path.Combine(layer, "home/user/user-file")), Is.EqualTo("user\n"));

        MountHelper.Unmount(target);
        _mounted.Remove(target);
        Assert.That(MountPoints().Contains(target), Is.False);
    }

    [Test]
    public async Task AMappedViewOfOneLayerIsAnIdMappedReadOnlyBind()
    {
        await using OverlaySnapshotter snapshotter = new(_temp.Combine("root"));
        await CommitLayerAsync(snapshotter);
        IReadOnlyList<Mounts.Mount> mounts = await snapshotter.ViewAsync("view", "layer", MappingLabels);
        Assert.That(mounts[0].Type, Is.EqualTo("bind"));
        string target = Mount(mounts, "view");
        Assert.That(Owner(Path.Combine(target, "root-file")), Is.EqualTo((100000u, 100000u)));
        Assert.That(Owner(Path.Combine(target, "home/user/user-file")), Is.EqualTo((101000u, 101000u)));
        Assert.That(() => File.WriteAllText(Path.Combine(target, "root-file"), "x"), Throws.InstanceOf<IOException>().Or.InstanceOf<UnauthorizedAccessException>());
    }

    [Test]
    public async Task BadMappingLabelsAreRefusedByNameAndCreateNothing()
    {
        await using OverlaySnapshotter snapshotter = new(_temp.Combine("root"));
        await CommitLayerAsync(snapshotter);
        InvalidSpecException? malformed = Assert.ThrowsAsync<InvalidSpecException>(async () => await snapshotter.PrepareAsync("a", "layer", new Dictionary<string, string>
        {
            ["containerd.io/snapshot/uidmapping"] = "0:100000",
            ["containerd.io/snapshot/gidmapping"] = Mapping,
        }));
        Assert.That(malformed!.JsonPath, Is.EqualTo("labels[\"containerd.io/snapshot/uidmapping\"]"));
        InvalidSpecException? half = Assert.ThrowsAsync<InvalidSpecException>(async () => await snapshotter.PrepareAsync("b", "layer", new Dictionary<string, string>
        {
            ["containerd.io/snapshot/uidmapping"] = Mapping,
        }));
        Assert.That(half!.JsonPath, Is.EqualTo("labels[\"containerd.io/snapshot/gidmapping\"]"));
        Assert.That(await snapshotter.WalkAsync().CountAsync(), Is.EqualTo(1), "only the layer");
        Assert.That(Directory.GetDirectories(_temp.Combine("root", "snapshots")), Has.Length.EqualTo(1));
    }

    [Test]
    public async Task TheNativeSnapshotterRefusesMappingLabels()
    {
        await using NativeSnapshotter snapshotter = new(_temp.Combine("native"));
        UnsupportedException? error = Assert.ThrowsAsync<UnsupportedException>(async () => await snapshotter.PrepareAsync("a", null, MappingLabels));
        Assert.That(error!.Message, Does.Contain("containerd.io/snapshot/uidmapping"));
        Assert.That(await snapshotter.WalkAsync().CountAsync(), Is.Zero);
    }

    [Test]
    public async Task AMappedSnapshotIsNeverMountedUnmapped()
    {
        await using OverlaySnapshotter snapshotter = new(_temp.Combine("root"));
        await CommitLayerAsync(snapshotter);
        IReadOnlyList<Mounts.Mount> mounts = await snapshotter.PrepareAsync("ctr", "layer", MappingLabels);
        string target = _temp.Combine("merged");
        Directory.CreateDirectory(target);
        Assert.Throws<UnsupportedException>(() => MountHelper.MountAll(mounts, target));
        Assert.That(MountPoints().Contains(target), Is.False);
    }

    [Test]
    public async Task ALowerOnAFilesystemWithoutIdMapsFailsTypedAndLeavesNothing()
    {
        // ramfs has no id-mapped mount support (tmpfs has, since 6.3).
        string ramfs = _temp.Combine("ramfs");
        Directory.CreateDirectory(ramfs);
        (await Tool.RunAsync("mount", ["-t", "ramfs", "ramfs", ramfs])).EnsureSuccess("mount ramfs");
        _mounted.Add(ramfs);
        Directory.CreateDirectory(Path.Combine(ramfs, "a"));
        Directory.CreateDirectory(Path.Combine(ramfs, "b"));
        string target = _temp.Combine("merged");
        Directory.CreateDirectory(target);
        HashSet<string> before = IdMapTemporaries();
        Mounts.Mount overlay = new("overlay", "overlay", ["index=off", "ro", $"lowerdir={ramfs}/a:{ramfs}/b", "uidmap=" + Mapping, "gidmap=" + Mapping]);
        UnsupportedException? error = Assert.Throws<UnsupportedException>(() => MountHelper.MountAll([overlay], target, _provider));
        Assert.That(error!.Message, Does.Contain(ramfs + "/a"));
        Assert.That(MountPoints().Any(p => p.StartsWith(target, StringComparison.Ordinal) || p.Contains("containers-idmap-", StringComparison.Ordinal)), Is.False);
        Assert.That(IdMapTemporaries(), Is.EquivalentTo(before));
    }

    private static List<string> MountPoints()
        => [.. File.ReadAllLines("/proc/self/mountinfo").Select(l => l.Split(' ')[4])];

    private static HashSet<string> IdMapTemporaries()
        => [.. Directory.GetDirectories(Path.GetTempPath(), "containers-idmap-*")];

    private string Mount(IReadOnlyList<Mounts.Mount> mounts, string name)
    {
        string target = _temp.Combine(name);
        Directory.CreateDirectory(target);
        MountHelper.MountAll(mounts, target, _provider);
        _mounted.Add(target);
        return target;
    }

    /// <summary>Applies the test layer (owners 0:0 and 1000:1000) and commits it as "layer"; returns its directory.</summary>
    private static async Task<string> CommitLayerAsync(OverlaySnapshotter snapshotter)
    {
        IReadOnlyList<Mounts.Mount> mounts = await snapshotter.PrepareAsync("extract", null);
        Assert.That(OverlaySnapshotter.TryGetUpperDirectory(mounts, out string? upper), Is.True);
        await new LayerApplier().ApplyAsync(new MemoryStream(Layer()), upper!, new LayerApplyOptions { WhiteoutMode = WhiteoutMode.Overlay });
        await snapshotter.CommitAsync("layer", "extract");
        return upper!;
    }

    private static byte[] Layer()
    {
        MemoryStream tar = new();
        using (TarWriter writer = new(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            writer.WriteEntry(Entry(TarEntryType.RegularFile, "root-file", 0, "root\n"));
            writer.WriteEntry(Entry(TarEntryType.Directory, "home/", 0, null));
            writer.WriteEntry(Entry(TarEntryType.Directory, "home/user/", 1000, null));
            writer.WriteEntry(Entry(TarEntryType.RegularFile, "home/user/user-file", 1000, "user\n"));
        }

        return tar.ToArray();
    }

    private static PaxTarEntry Entry(TarEntryType type, string name, int owner, string? content)
    {
        PaxTarEntry entry = new(type, name)
        {
            Uid = owner,
            Gid = owner,
            Mode = type == TarEntryType.Directory ? (UnixFileMode)0b111_101_101 : (UnixFileMode)0b110_100_100,
        };
        if (content is not null)
        {
            entry.DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(content));
        }

        return entry;
    }

    private static (uint Uid, uint Gid) Owner(string path)
    {
        ToolResult stat = Tool.RunAsync("stat", ["-c", "%u %g", path]).GetAwaiter().GetResult();
        stat.EnsureSuccess("stat " + path);
        string[] fields = stat.StandardOutput.Trim().Split(' ');
        return (uint.Parse(fields[0], System.Globalization.CultureInfo.InvariantCulture), uint.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture));
    }
}
