using Containers.Diff;

namespace Containers.Snapshots.Tests.Apply;

/// <summary>OCI whiteouts and opaque directories, natively (delete) and as overlayfs expects them.</summary>
[TestFixture]
internal sealed class WhiteoutTests : ApplyFixture
{
    private static readonly LayerApplyOptions s_overlay = new() { WhiteoutMode = WhiteoutMode.Overlay };

    [Test]
    public async Task NativeWhiteoutDeletesLowerEntries()
    {
        await ApplyAsync(Lower().Build());

        await ApplyAsync(new TarBuilder().Whiteout("a/.wh.x").Whiteout(".wh.b").Whiteout("a/.wh.missing").Build());

        Assert.That(TreeSnapshot.Exists(InRoot("a/x")), Is.False);
        Assert.That(File.ReadAllText(InRoot("a/y")), Is.EqualTo("y"));
        Assert.That(TreeSnapshot.Exists(InRoot("b")), Is.False, "a whited-out directory goes with its contents");
        Assert.That(TreeSnapshot.Exists(InRoot("a/.wh.x")), Is.False, "whiteout markers are not materialised");
    }

    [Test]
    public async Task NativeOpaqueKeepsOnlyThisLayersChildren()
    {
        await ApplyAsync(Lower().Build());

        // The marker comes after a sibling on purpose: only lower-layer children are hidden.
        await ApplyAsync(new TarBuilder()
            .Dir("c")
            .File("c/new", "new")
            .Dir("c/keep")
            .Whiteout("c/.wh..wh..opq")
            .File("c/after", "after")
            .Build());

        Assert.That(Directory.EnumerateFileSystemEntries(InRoot("c")).Select(Path.GetFileName).Order(), Is.EqualTo(new[] { "after", "keep", "new" }));
        Assert.That(Directory.EnumerateFileSystemEntries(InRoot("c/keep")), Is.Empty, "lower children under a directory this layer re-declared are hidden too");
        Assert.That(File.ReadAllText(InRoot("a/x")), Is.EqualTo("x"), "other directories are untouched");
    }

    [Test]
    public async Task NativeWhiteoutDoesNotHideTheSameLayer()
    {
        await ApplyAsync(new TarBuilder().File("d/f", "same layer").Whiteout("d/.wh.f").Build());

        Assert.That(File.ReadAllText(InRoot("d/f")), Is.EqualTo("same layer"));
    }

    [Test]
    public async Task OverlayWhiteoutIsACharacterDevice00()
    {
        await ApplyAsync(new TarBuilder { Uid = 0, Gid = 0 }.Dir("a").Whiteout("a/.wh.x").Whiteout(".wh.b").Build(), s_overlay);

        foreach (string path in new[] { "a/x", "b" })
        {
            Interop.Statx st = TreeSnapshot.LStat(InRoot(path));
            Assert.That((st.FileType, st.RdevMajor, st.RdevMinor, st.Uid, st.Gid), Is.EqualTo((Interop.S_IFCHR, 0u, 0u, 0u, 0u)), path);
        }

        Assert.That(TreeSnapshot.Exists(InRoot("a/.wh.x")), Is.False);
    }

    [Test]
    public async Task OverlayOpaqueSetsTheXattr()
    {
        await ApplyAsync(new TarBuilder().Dir("c").Whiteout("c/.wh..wh..opq").File("c/new", "new").Whiteout("d/.wh..wh..opq").Build(), s_overlay);

        Assert.That(Interop.LGetXattr(InRoot("c"), "trusted.overlay.opaque"), Is.EqualTo("y"u8.ToArray()));
        Assert.That(Interop.LGetXattr(InRoot("d"), "trusted.overlay.opaque"), Is.EqualTo("y"u8.ToArray()), "a directory the layer does not list is created");
        Assert.That(File.ReadAllText(InRoot("c/new")), Is.EqualTo("new"));
        Assert.That(TreeSnapshot.Exists(InRoot("c/.wh..wh..opq")), Is.False);
    }

    [Test]
    public async Task OverlayTreeMountsAsTheNativeResult()
    {
        // The two modes must mean the same thing: mount lower + overlay-mode upper and compare
        // with the native apply of both layers.
        string lower = Path.Combine(Work, "lower");
        string upper = Path.Combine(Work, "upper");
        string overlayWork = Path.Combine(Work, "ovlwork");
        string merged = Path.Combine(Work, "merged");
        foreach (string d in new[] { lower, upper, overlayWork, merged })
        {
            Directory.CreateDirectory(d);
        }

        byte[] second = new TarBuilder().Whiteout("a/.wh.x").Whiteout(".wh.b").Dir("c").Whiteout("c/.wh..wh..opq").File("c/new", "new").Build();
        await Applier.ApplyAsync(Lower().BuildStream(), lower, LayerApplyOptions.Default);
        await Applier.ApplyAsync(new MemoryStream(second), upper, s_overlay);
        await ApplyAsync(Lower().Build());
        await ApplyAsync(second);

        using var mount = System.Diagnostics.Process.Start("mount", ["-t", "overlay", "overlay", "-o", $"lowerdir={lower},upperdir={upper},workdir={overlayWork}", merged]);
        await mount.WaitForExitAsync();
        if (mount.ExitCode != 0)
        {
            Assert.Ignore("overlayfs mount not available here");
        }

        try
        {
            Assert.That(TreeSnapshot.Capture(merged, withTimes: false), Is.EqualTo(TreeSnapshot.Capture(Root, withTimes: false)));
        }
        finally
        {
            using var umount = System.Diagnostics.Process.Start("umount", [merged]);
            await umount.WaitForExitAsync();
        }
    }

    private static TarBuilder Lower() => new TarBuilder()
        .Dir("a").File("a/x", "x").File("a/y", "y")
        .Dir("b").Dir("b/dir").File("b/dir/z", "z")
        .Dir("c").File("c/old", "old").Dir("c/keep").File("c/keep/lower", "lower");
}
