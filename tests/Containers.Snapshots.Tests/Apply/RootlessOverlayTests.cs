using System.Formats.Tar;
using Containers.Diff;
using Containers.Mounts;
using Containers.Snapshots.Apply;
using Containers.Snapshots.Diff;
using Containers.Snapshots.Mounting;
using Containers.Testing;
using static Containers.Snapshots.Tests.Apply.UserNamespaceHelper;

namespace Containers.Snapshots.Tests.Apply;

/// <summary>
/// Overlay whiteouts and opaque directories applied by an unprivileged user namespace's root
/// (<see cref="WhiteoutMode.OverlayUserXattr"/>), mounted with <c>userxattr</c> inside that namespace and read back by
/// the differ, against the same layers applied and mounted by the host's root (<see cref="WhiteoutMode.Overlay"/>).
/// </summary>
[NonParallelizable]
public sealed class RootlessOverlayTests
{
    private const string ListCommand = "find merged -mindepth 1 -printf '%P %y %m %U:%G %s\\n' | LC_ALL=C sort";

    private static byte[] LowerLayer() => new TarBuilder()
        .Dir("d").File("d/gone", "deleted").File("d/kept", "kept")
        .Dir("o").File("o/hidden", "hidden by the opaque directory").Dir("o/sub").File("o/sub/deep", "deep")
        .File("x", "a whole file deleted")
        .Build();

    private static byte[] UpperLayer() => new TarBuilder()
        .Dir("d").Whiteout("d/.wh.gone")
        .Dir("o").Whiteout("o/.wh..wh..opq").File("o/new", "new")
        .Whiteout(".wh.x")
        .Build();

    [Test]
    public async Task WhiteoutsAndOpaqueDirectoriesAppliedInAUserNamespaceHideTheLowerUnderAUserxattrMount()
    {
        await RequireUserNamespacesAsync();
        using var temp = new TempDirectory("snap-rootless-ovl-");
        AllowNobody(temp.Path);
        await File.WriteAllBytesAsync(temp.Combine("lower.tar"), LowerLayer());
        await File.WriteAllBytesAsync(temp.Combine("upper.tar"), UpperLayer());
        foreach (string name in (string[])["lower", "upper", "work", "merged", "out"])
        {
            MakeRootFor(temp, name);
        }

        // Inside the namespace: the lower layer as a full tree, the upper one as a userxattr overlay's upper
        // directory, then a userxattr overlay of the two (the mount namespace ends with the shell), then the diff.
        string script = $"""
            cd '{temp.Path}'
            {HelperCommand} apply lower lower.tar
            {HelperCommand} apply --overlay-userxattr upper upper.tar
            mount -t overlay overlay -o userxattr,index=off,lowerdir=lower,upperdir=upper,workdir=work merged
            {ListCommand} > out/merged.txt
            umount merged
            {HelperCommand} diff upper out/diff.tar
            """;
        ToolResult rootless = await RunScriptWithMountsAsync(script);
        Assert.That(rootless.ExitCode, Is.EqualTo(0), rootless.StandardOutput + rootless.StandardError);

        string upper = temp.Combine("upper");
        Assert.That(FileTree.GetXattr(Path.Combine(upper, "o"), "user.overlay.opaque"), Is.EqualTo("y"u8.ToArray()));
        Assert.That(() => FileTree.GetXattr(Path.Combine(upper, "o"), "trusted.overlay.opaque"), Throws.Exception, "a user namespace cannot set trusted.*");
        List<string> upperTree = FileTree.Capture(upper);
        Assert.That(upperTree, Has.Some.StartsWith("d/gone: chr ").And.Some.StartsWith("x: chr "), string.Join('\n', upperTree));

        // The host's root: the same layers with trusted.overlay.*, mounted without userxattr.
        string rootLower = temp.Combine("root-lower");
        string rootUpper = temp.Combine("root-upper");
        string rootWork = temp.Combine("root-work");
        string rootMerged = temp.Combine("root", "merged");
        foreach (string d in (string[])[rootLower, rootUpper, rootWork, rootMerged])
        {
            Directory.CreateDirectory(d);
        }

        var applier = new LayerApplier();
        await applier.ApplyAsync(new MemoryStream(LowerLayer()), rootLower, new LayerApplyOptions { WhiteoutMode = WhiteoutMode.Delete });
        await applier.ApplyAsync(new MemoryStream(UpperLayer()), rootUpper, new LayerApplyOptions { WhiteoutMode = WhiteoutMode.Overlay });
        Assert.That(FileTree.GetXattr(Path.Combine(rootUpper, "o"), "trusted.overlay.opaque"), Is.EqualTo("y"u8.ToArray()));
        MountHelper.MountAll([new Mount("overlay", "overlay", ["index=off", "lowerdir=" + rootLower, "upperdir=" + rootUpper, "workdir=" + rootWork])], rootMerged);
        ToolResult rootListing;
        try
        {
            rootListing = await Tool.RunAsync("sh", ["-c", ListCommand], workingDirectory: temp.Combine("root"));
        }
        finally
        {
            MountHelper.Unmount(rootMerged);
        }

        Assert.That(rootListing.ExitCode, Is.EqualTo(0), rootListing.StandardError);
        string[] merged = (await File.ReadAllTextAsync(temp.Combine("out", "merged.txt"))).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(merged, Is.EqualTo(new[]
        {
            "d d 755 0:0 4096",
            "d/kept f 644 0:0 4",
            "o d 755 0:0 4096",
            "o/new f 644 0:0 3",
        }), "the whiteouts and the opaque directory hide the lower layer's entries");
        Assert.That(merged, Is.EqualTo(rootListing.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)), "same merged tree as the host's root gets");

        // Read back: the differ finds the same whiteouts and opaque marker in both upper directories.
        using var rootDiff = new MemoryStream();
        await new LayerDiffer().DiffAsync(null, rootUpper, rootDiff);
        byte[] rootlessDiff = await File.ReadAllBytesAsync(temp.Combine("out", "diff.tar"));
        Assert.That(Entries(rootlessDiff), Is.EqualTo(new[] { "d/", "d/.wh.gone", "o/", "o/.wh..wh..opq", "o/new", ".wh.x" }));
        // Not byte for byte: TarWriter names PAX headers after the writing process's id.
        Assert.That(Describe(rootlessDiff), Is.EqualTo(Describe(rootDiff.ToArray())), "every entry as in the diff of the host's root's upper directory");
    }

    /// <summary>
    /// overlayfs 6.7+ also takes, in a lower layer, an empty regular file marked <c>overlay.whiteout</c> in a directory
    /// marked <c>overlay.opaque=x</c> as a whiteout; the differ reads that form (in both xattr namespaces) too.
    /// Checked against the kernel: mounted as a lower layer with <c>userxattr</c>, the file is hidden.
    /// </summary>
    [Test]
    public async Task TheDifferReadsXattrWhiteoutsThatOverlayfsHonoursInALowerLayer()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            Assert.Ignore("needs root to mount overlayfs");
        }

        using var temp = new TempDirectory("snap-xwhiteout-");
        string bottom = temp.Combine("bottom");
        string layer = temp.Combine("layer");
        string merged = temp.Combine("merged");
        Directory.CreateDirectory(Path.Combine(bottom, "x"));
        await File.WriteAllTextAsync(Path.Combine(bottom, "x", "gone"), "lower");
        await File.WriteAllTextAsync(Path.Combine(bottom, "x", "kept"), "lower");
        Directory.CreateDirectory(Path.Combine(layer, "x"));
        Directory.CreateDirectory(merged);
        await File.WriteAllBytesAsync(Path.Combine(layer, "x", "gone"), []);
        FileTree.SetXattr(Path.Combine(layer, "x", "gone"), "user.overlay.whiteout", []);
        FileTree.SetXattr(Path.Combine(layer, "x"), "user.overlay.opaque", "x"u8);

        MountHelper.MountAll([new Mount("overlay", "overlay", ["ro", "userxattr", "lowerdir=" + layer + ":" + bottom])], merged);
        string[] seen;
        try
        {
            seen = [.. Directory.EnumerateFileSystemEntries(Path.Combine(merged, "x")).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];
        }
        finally
        {
            MountHelper.Unmount(merged);
        }

        Assert.That(seen, Is.EqualTo(new[] { "kept" }), "overlayfs honours the xattr whiteout in a lower layer");

        using var diff = new MemoryStream();
        await new LayerDiffer().DiffAsync(null, layer, diff);
        Assert.That(Entries(diff.ToArray()), Is.EqualTo(new[] { "x/", "x/.wh.gone" }));
        Assert.That(Xattrs(diff.ToArray()), Is.Empty, "overlay's markers are not layer content");
    }

    private static string[] Entries(byte[] tar)
    {
        using var reader = new TarReader(new MemoryStream(tar));
        var names = new List<string>();
        while (reader.GetNextEntry() is { } entry)
        {
            names.Add(entry.Name);
        }

        return [.. names];
    }

    private static string[] Describe(byte[] tar)
    {
        using var reader = new TarReader(new MemoryStream(tar));
        var lines = new List<string>();
        while (reader.GetNextEntry() is { } entry)
        {
            // A removed file's whiteout carries the time its whiteout node was made (at apply, as containerd's
            // differ carries its own "now"): the two trees were applied moments apart, maybe across a second.
            string leaf = entry.Name[(entry.Name.TrimEnd('/').LastIndexOf('/') + 1)..];
            bool madeAtApply = leaf.StartsWith(".wh.", StringComparison.Ordinal) && leaf != ".wh..wh..opq";
            string xattrs = entry is PaxTarEntry pax
                ? string.Join(',', pax.ExtendedAttributes.Where(a => !a.Key.StartsWith("PaxHeaders", StringComparison.Ordinal) && !(madeAtApply && a.Key == "mtime")).Select(a => a.Key + "=" + a.Value))
                : string.Empty;
            string mtime = madeAtApply ? "(apply time)" : entry.ModificationTime.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
            lines.Add($"{entry.Name} {entry.EntryType} {entry.Mode} {entry.Uid}:{entry.Gid} {mtime} {entry.Length} {xattrs}");
        }

        return [.. lines];
    }

    private static string[] Xattrs(byte[] tar)
    {
        using var reader = new TarReader(new MemoryStream(tar));
        var keys = new List<string>();
        while (reader.GetNextEntry() is { } entry)
        {
            if (entry is PaxTarEntry pax)
            {
                keys.AddRange(pax.ExtendedAttributes.Keys.Where(k => k.StartsWith("SCHILY.xattr.", StringComparison.Ordinal)));
            }
        }

        return [.. keys];
    }
}
