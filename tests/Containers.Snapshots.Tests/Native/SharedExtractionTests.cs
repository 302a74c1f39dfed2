using Containers.Diff;
using Containers.Mounts;
using Containers.Snapshots.Apply;
using Containers.Snapshots.Tests.Apply;
using Containers.Testing;

namespace Containers.Snapshots.Tests.Native;

/// <summary>
/// Native extraction snapshots (<see cref="NativeSnapshotter.LayerApplyOnlyLabel"/>) hard-link their parent's
/// files: a layer applied into one leaves the committed parent's files as they were, the result equals the
/// same layers applied into full copies, and views and containers' snapshots of it get inodes of their own.
/// </summary>
[NonParallelizable]
public sealed class SharedExtractionTests
{
    private static readonly Dictionary<string, string> Extract = new(StringComparer.Ordinal) { [NativeSnapshotter.LayerApplyOnlyLabel] = "true" };

    [Test]
    public async Task ALayerAppliedIntoASharedExtractionLeavesTheParentAsItWasAndEqualsFullCopies()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            Assert.Ignore("needs root for owners");
        }

        using var temp = new TempDirectory("snap-share-");
        byte[] base1 = new TarBuilder { Uid = 1000, Gid = 1000 }
            .Dir("d").File("d/a", "alpha", 0x1a0).FileWithXattrs("d/x", "xray", 0x1a4, ("user.k", "v"u8.ToArray()))
            .File("g1", "group").Link("g1", "g2").File("b", "bravo", 0x9ed /* 04755 */).File("c", "charlie")
            .Dir("e").File("e/f", "foxtrot").Build();

        // Each kind of change a layer makes to what its parent has: a file replaced (other mode and owner), a hard
        // link entry to the parent's file, a directory replaced by a hard link to it (whose time restore must not
        // reach the linked file), a whiteout, a kept directory re-listed with another mode, one name of a hard link
        // group replaced, an xattr-bearing file re-listed without xattrs.
        byte[] layer2 = new TarBuilder { Uid = 0, Gid = 0, Time = new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero) }
            .Dir("d").File("d/a", "ALPHA2", 0x1ed).Link("b", "d/h").Dir("z").Link("b", "z").Whiteout(".wh.c").Dir("e", 0x1c0)
            .File("g1", "new group").File("d/x", "xray", 0x1a4).Build();

        await using var shared = new NativeSnapshotter(temp.Combine("shared"));
        await using var copied = new NativeSnapshotter(temp.Combine("copied"));

        string l1 = await ApplyAsync(shared, "l1", null, base1, Extract);
        await ApplyAsync(copied, "l1", null, base1, null);
        List<string> parentBefore = TreeSnapshot.Capture(l1);

        IReadOnlyList<Mount> extracting = await shared.PrepareAsync("l2-extract", "l1", Extract);
        string l2 = extracting[0].Source;
        Assert.That(RootChecks.Identity(l2, "d/a"), Is.EqualTo(RootChecks.Identity(l1, "d/a")), "the extraction hard-links the parent's file");
        Assert.That(RootChecks.Identity(l2, "e"), Is.Not.EqualTo(RootChecks.Identity(l1, "e")), "directories are its own");
        await ApplyIntoAsync(l2, layer2);
        await shared.CommitAsync("l2", "l2-extract");
        await ApplyAsync(copied, "l2", "l1", layer2, null);

        Assert.That(TreeSnapshot.Capture(l1), Is.EqualTo(parentBefore), "the committed parent's files (bytes, mode, owner, xattrs, mtime) are unchanged");

        // Views are copies, labelled or not; their link counts are the tree's own.
        string v1 = (await shared.ViewAsync("v1", "l1", Extract))[0].Source;
        string v2 = (await shared.ViewAsync("v2", "l2"))[0].Source;
        string c2 = (await copied.ViewAsync("v2", "l2"))[0].Source;
        Assert.That(TreeSnapshot.Capture(v1), Is.EqualTo(parentBefore));
        Assert.That(RootChecks.Identity(v1, "d/a"), Is.Not.EqualTo(RootChecks.Identity(l1, "d/a")));
        Assert.That(TreeSnapshot.LStat(Path.Combine(v1, "d/a")).Nlink, Is.EqualTo(1));
        Assert.That(TreeSnapshot.LStat(Path.Combine(v1, "g1")).Nlink, Is.EqualTo(2));
        Assert.That(TreeSnapshot.LStat(Path.Combine(v1, "b")).Nlink, Is.EqualTo(1), "the child's link to b is not the parent's");
        List<string> expected = TreeSnapshot.Capture(c2);
        Assert.That(TreeSnapshot.Capture(v2), Is.EqualTo(expected), "shared extraction = full copies, layer by layer");
        Assert.That(TreeSnapshot.LStat(Path.Combine(v2, "b")).Nlink, Is.EqualTo(3), "b, d/h, z");
        Assert.That(TreeSnapshot.LStat(Path.Combine(v2, "g2")).Nlink, Is.EqualTo(1));
        Assert.That(string.Join('\n', expected), Does.Contain("z: file").And.Contain("hardlink-of=b").And.Not.Contain("c: "), "the layer did what it should");

        // A container's snapshot of the shared chain has inodes of its own: writing it changes no committed file.
        string container = (await shared.PrepareAsync("container", "l2"))[0].Source;
        Assert.That(RootChecks.Identity(container, "b"), Is.Not.EqualTo(RootChecks.Identity(l2, "b")));
        Assert.That(RootChecks.Identity(container, "e/f"), Is.Not.EqualTo(RootChecks.Identity(l1, "e/f")));
        File.AppendAllText(Path.Combine(container, "b"), "!");
        File.AppendAllText(Path.Combine(container, "e/f"), "!");
        File.SetUnixFileMode(Path.Combine(container, "g2"), UnixFileMode.UserRead);
        Assert.That(TreeSnapshot.Capture(l1), Is.EqualTo(parentBefore));
        Assert.That(TreeSnapshot.Capture(v2), Is.EqualTo(expected));
        string v2Again = (await shared.ViewAsync("v2-again", "l2"))[0].Source;
        Assert.That(TreeSnapshot.Capture(v2Again), Is.EqualTo(expected));
    }

    private static async Task<string> ApplyAsync(NativeSnapshotter snapshotter, string name, string? parent, byte[] layer, Dictionary<string, string>? labels)
    {
        IReadOnlyList<Mount> mounts = await snapshotter.PrepareAsync(name + "-extract", parent, labels);
        await ApplyIntoAsync(mounts[0].Source, layer);
        await snapshotter.CommitAsync(name, name + "-extract");
        return mounts[0].Source;
    }

    private static async Task ApplyIntoAsync(string directory, byte[] layer)
    {
        using var stream = new MemoryStream(layer);
        await new LayerApplier().ApplyAsync(stream, directory, new LayerApplyOptions { WhiteoutMode = WhiteoutMode.Delete });
    }
}
