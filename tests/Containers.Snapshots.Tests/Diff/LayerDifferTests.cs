using Containers.Diff;
using Containers.Snapshots.Apply;
using Containers.Snapshots.Diff;
using Containers.Snapshots.Mounting;
using Containers.Snapshots.Tests.Apply;
using Containers.Testing;

namespace Containers.Snapshots.Tests.Diff;

/// <summary>Round trips: apply(diff(x)) reproduces x, for the overlay upper-directory scan and the native double walk.</summary>
[NonParallelizable]
public sealed class LayerDifferTests
{
    private TempDirectory _temp = null!;
    private readonly List<string> _mounted = [];

    [SetUp]
    public void SetUp()
    {
        if (!OverlaySnapshotter.IsSupported() || !File.ReadAllLines("/proc/self/status").Any(l => l.StartsWith("Uid:\t0\t", StringComparison.Ordinal)))
        {
            Assert.Ignore("needs root and overlayfs");
        }

        _temp = new TempDirectory("snap-diff-");
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
    public async Task OverlayUpperDiffRoundTrips()
    {
        await using var snapshotter = new OverlaySnapshotter(_temp.Combine("root"));
        var applier = new LayerApplier();
        IReadOnlyList<Mounts.Mount> baseMounts = await snapshotter.PrepareAsync("base-a", null);
        Assert.That(OverlaySnapshotter.TryGetUpperDirectory(baseMounts, out string? baseUpper), Is.True);
        await applier.ApplyAsync(BaseLayer(), baseUpper!, new LayerApplyOptions { WhiteoutMode = WhiteoutMode.Overlay });
        await snapshotter.CommitAsync("base", "base-a");

        // Changes made through a real overlay mount: the kernel writes the whiteouts and opaque markers.
        IReadOnlyList<Mounts.Mount> child = await snapshotter.PrepareAsync("child-a", "base");
        string mnt = Mount(child, "child");
        ChangeTree(mnt);
        Unmount(mnt);
        Assert.That(OverlaySnapshotter.TryGetUpperDirectory(child, out string? upper), Is.True);

        var tar = new MemoryStream();
        LayerApplyResult diff = await new LayerDiffer().DiffAsync(null, upper!, tar);
        Assert.That(diff.Size, Is.EqualTo(tar.Length));
        Assert.That(diff.DiffId, Is.EqualTo(Digest.Compute(tar.ToArray())));
        var again = new MemoryStream();
        Assert.That((await new LayerDiffer().DiffAsync(null, upper!, again)).DiffId, Is.EqualTo(diff.DiffId), "deterministic");

        string tarFile = _temp.Combine("layer.tar");
        File.WriteAllBytes(tarFile, tar.ToArray());
        ToolResult listing = await Tool.RunCheckedAsync("tar", "-tf", tarFile);
        Assert.That(listing.StandardOutput.Split('\n'), Does.Contain("etc/.wh.motd").And.Contain("data/.wh..wh..opq").And.Contain("data/new"),
            "GNU tar reads the layer and sees OCI whiteouts");

        await snapshotter.CommitAsync("child", "child-a");
        IReadOnlyList<Mounts.Mount> replay = await snapshotter.PrepareAsync("replay-a", "base");
        Assert.That(OverlaySnapshotter.TryGetUpperDirectory(replay, out string? replayUpper), Is.True);
        tar.Position = 0;
        LayerApplyResult applied = await applier.ApplyAsync(tar, replayUpper!, new LayerApplyOptions { WhiteoutMode = WhiteoutMode.Overlay });
        Assert.That(applied.DiffId, Is.EqualTo(diff.DiffId));
        await snapshotter.CommitAsync("replay", "replay-a");

        string original = Mount(await snapshotter.ViewAsync("v-child", "child"), "v-child");
        string replayed = Mount(await snapshotter.ViewAsync("v-replay", "replay"), "v-replay");
        // System.Formats.Tar keeps times as DateTimeOffset: 100 ns ticks, so the last two nanosecond digits go.
        List<string> expected = [.. TreeSnapshot.Capture(original, withTimes: true).Select(TruncateNanoseconds)];
        Assert.That(TreeSnapshot.Capture(replayed, withTimes: true), Is.EqualTo(expected));
        Assert.That(expected, Has.None.StartsWith("etc/motd:").And.Some.StartsWith("data/new:").And.None.StartsWith("data/old:"));
    }

    [Test]
    public async Task NativeDoubleWalkRoundTrips()
    {
        var applier = new LayerApplier();
        string lower = _temp.Combine("lower");
        Directory.CreateDirectory(lower);
        await applier.ApplyAsync(BaseLayer(), lower, LayerApplyOptions.Default);
        string upper = _temp.Combine("upper");
        Directory.CreateDirectory(upper);
        TreeCopier.Copy(lower, upper, CancellationToken.None);
        ChangeTree(upper);

        var tar = new MemoryStream();
        LayerApplyResult diff = await new LayerDiffer().DiffAsync(lower, upper, tar);
        Assert.That(diff.DiffId, Is.EqualTo(Digest.Compute(tar.ToArray())));

        var gz = new MemoryStream();
        LayerApplyResult gzipped = await new LayerDiffer().DiffGzipAsync(lower, upper, gz);
        Assert.That(gzipped.DiffId, Is.EqualTo(diff.DiffId), "the diff id is the uncompressed tar's");
        Assert.That(gzipped.CompressedDigest, Is.EqualTo(Digest.Compute(gz.ToArray())));
        Assert.That((gzipped.Size, gzipped.Compression), Is.EqualTo((gz.Length, LayerCompression.Gzip)));
        string gzFile = _temp.Combine("layer.tar.gz");
        File.WriteAllBytes(gzFile, gz.ToArray());
        ToolResult gunzip = await Tool.RunCheckedAsync("sh", "-c", $"gzip -dc '{gzFile}' | sha256sum");
        Assert.That("sha256:" + gunzip.StandardOutput.Split(' ')[0], Is.EqualTo(diff.DiffId.ToString()), "gzip(1) decompresses to the same tar");

        string replay = _temp.Combine("replay");
        Directory.CreateDirectory(replay);
        TreeCopier.Copy(lower, replay, CancellationToken.None);
        tar.Position = 0;
        await applier.ApplyAsync(tar, replay, LayerApplyOptions.Default);
        Assert.That(TreeSnapshot.Capture(replay, withTimes: false), Is.EqualTo(TreeSnapshot.Capture(upper, withTimes: false)));
        Assert.That(diff.Entries, Is.LessThan(TreeSnapshot.Capture(upper).Count + 4), "only changes (and their parents and whiteouts) are written");
        Assert.That(TarNames(tar), Has.None.EqualTo("unchanged/keep"), "an unchanged file is not in the diff");
    }

    [Test]
    public async Task BinaryXattrsRoundTripThroughTheDiffGnuTarAndTheApplier([Values] bool overlay)
    {
        TestHost.RequireTool("/usr/sbin/setcap", "libcap2-bin");
        var applier = new LayerApplier();
        string lower = _temp.Combine("lower");
        Directory.CreateDirectory(lower);
        await applier.ApplyAsync(BaseLayer(), lower, LayerApplyOptions.Default);
        string upper = _temp.Combine("upper");
        Directory.CreateDirectory(upper);
        if (!overlay)
        {
            TreeCopier.Copy(lower, upper, CancellationToken.None);
        }

        // A setcap'd binary (security.capability is binary), a binary user xattr on a directory and on a
        // hard-linked file, and a long name, all of which need the raw PAX writer.
        Directory.CreateDirectory(Path.Combine(upper, "bin"));
        string capped = Path.Combine(upper, "bin/capped");
        File.Copy(BusyboxRootfs.BusyboxPath, capped);
        await Tool.RunCheckedAsync("/usr/sbin/setcap", "cap_net_raw,cap_sys_admin+ep", capped);
        Assert.That(Interop.LSetXattr(Path.Combine(upper, "bin"), "user.bin", new byte[] { 0xff, 0x00, 0x80 }), Is.Zero);
        string longName = Path.Combine(upper, "bin", new string('n', 120));
        File.WriteAllText(longName, "long\n");
        Assert.That(Interop.LSetXattr(longName, "user.raw", new byte[] { 0xc3, 0x28 }), Is.Zero);
        RootChecks.HardLink(upper, "bin/" + new string('n', 120), "bin/linked");

        var tar = new MemoryStream();
        LayerApplyResult diff = await new LayerDiffer().DiffAsync(overlay ? null : lower, upper, tar);
        Assert.That(diff.DiffId, Is.EqualTo(Digest.Compute(tar.ToArray())));

        // GNU tar reads the raw records and restores the capability.
        string tarFile = _temp.Combine("caps.tar");
        File.WriteAllBytes(tarFile, tar.ToArray());
        string gnu = _temp.Combine("gnu");
        Directory.CreateDirectory(gnu);
        await Tool.RunCheckedAsync("tar", "--xattrs", "--xattrs-include=*", "-xpf", tarFile, "-C", gnu);
        ToolResult gnuCaps = await Tool.RunCheckedAsync("/usr/sbin/getcap", Path.Combine(gnu, "bin/capped"));
        ToolResult original = await Tool.RunCheckedAsync("/usr/sbin/getcap", capped);
        Assert.That(gnuCaps.StandardOutput.Split(' ')[^1], Is.EqualTo(original.StandardOutput.Split(' ')[^1]).And.Contain("cap_net_raw"));

        // Our applier on a copy of the lower tree reproduces the upper tree, xattrs byte for byte.
        string replay = _temp.Combine("replay");
        Directory.CreateDirectory(replay);
        TreeCopier.Copy(lower, replay, CancellationToken.None);
        tar.Position = 0;
        await applier.ApplyAsync(tar, replay, LayerApplyOptions.Default);
        ToolResult replayCaps = await Tool.RunCheckedAsync("/usr/sbin/getcap", Path.Combine(replay, "bin/capped"));
        Assert.That(replayCaps.StandardOutput.Split(' ')[^1], Is.EqualTo(original.StandardOutput.Split(' ')[^1]));
        Assert.That(Interop.LGetXattr(Path.Combine(replay, "bin/capped"), "security.capability"), Is.EqualTo(Interop.LGetXattr(capped, "security.capability")));
        List<string> expected = TreeSnapshot.Capture(upper, withTimes: true);
        if (overlay)
        {
            expected = TreeSnapshot.Capture(upper, withTimes: true).Where(l => l.StartsWith("bin", StringComparison.Ordinal)).ToList();
            Assert.That(TreeSnapshot.Capture(replay, withTimes: true).Where(l => l.StartsWith("bin", StringComparison.Ordinal)), Is.EqualTo(expected));
        }
        else
        {
            Assert.That(TreeSnapshot.Capture(replay, withTimes: true), Is.EqualTo(expected), "raw entries keep nanosecond mtimes");
        }
    }

    private static string TruncateNanoseconds(string line) =>
        System.Text.RegularExpressions.Regex.Replace(line, @"(mtime=\d+\.\d{7})\d{2}", "${1}00");

    private static List<string> TarNames(MemoryStream tar)
    {
        tar.Position = 0;
        using var reader = new System.Formats.Tar.TarReader(tar, leaveOpen: true);
        var names = new List<string>();
        while (reader.GetNextEntry() is { } entry)
        {
            names.Add(entry.Name);
        }

        return names;
    }

    private static MemoryStream BaseLayer() => new TarBuilder()
        .Dir("etc/")
        .File("etc/motd", "hello\n")
        .File("etc/hosts", "127.0.0.1 localhost\n")
        .Dir("data/")
        .File("data/old", "old\n")
        .Dir("data/sub/")
        .File("data/sub/deep", "deep\n")
        .Dir("unchanged/")
        .File("unchanged/keep", "keep\n")
        .BuildStream();

    private static void ChangeTree(string root)
    {
        File.Delete(Path.Combine(root, "etc/motd"));
        File.AppendAllText(Path.Combine(root, "etc/hosts"), "10.0.0.1 other\n");
        Directory.Delete(Path.Combine(root, "data"), recursive: true);
        Directory.CreateDirectory(Path.Combine(root, "data"));
        File.WriteAllText(Path.Combine(root, "data/new"), "new\n");
        RootChecks.HardLink(root, "data/new", "data/new-link");
        File.CreateSymbolicLink(Path.Combine(root, "data/sym"), "../etc/hosts");
        Assert.That(Interop.LChown(Path.Combine(root, "data/new"), 12, 34), Is.Zero);
        Assert.That(Interop.LSetXattr(Path.Combine(root, "data/new"), "user.origin", "diff-test"u8), Is.Zero);
    }

    private string Mount(IReadOnlyList<Mounts.Mount> mounts, string name)
    {
        string target = _temp.Combine("m-" + name);
        Directory.CreateDirectory(target);
        MountHelper.MountAll(mounts, target);
        _mounted.Add(target);
        return target;
    }

    private void Unmount(string target)
    {
        MountHelper.Unmount(target);
        _mounted.Remove(target);
    }
}
