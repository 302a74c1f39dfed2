using System.Formats.Tar;
using Containers.Diff;

namespace Containers.Snapshots.Tests.Apply;

/// <summary>
/// The applier leaves out a file's fchown or fchmod when the create already gave that owner or mode (learned per
/// parent from the files made there); these are the cases where the create gives something else, and the entry's
/// owner and mode must still come out exact.
/// </summary>
[TestFixture]
internal sealed class CreateShortcutTests : ApplyFixture
{
    // A default ACL u::rwx,g::---,o::--- (version 2; tags USER_OBJ, GROUP_OBJ, OTHER; ids unused): a create under it
    // keeps only the owner's bits, whatever the umask.
    private static readonly byte[] s_ownerOnlyDefaultAcl =
    [
        2, 0, 0, 0,
        0x01, 0, 7, 0, 0xff, 0xff, 0xff, 0xff,
        0x04, 0, 0, 0, 0xff, 0xff, 0xff, 0xff,
        0x20, 0, 0, 0, 0xff, 0xff, 0xff, 0xff,
    ];

    [TestCase(WhiteoutMode.Delete)]
    [TestCase(WhiteoutMode.Overlay)]
    public async Task FilesInASetgidDirectoryGetTheEntrysGroupNotTheDirectorys(WhiteoutMode mode)
    {
        // The first create in g gives group 1234 (the directory's, by setgid); root-owned entries after it must be
        // chowned back to 0, and only the entry that asks for 1234 may keep the create's group.
        var layer = new TarBuilder()
            .Dir("g", 0x5ed /* 02755 */, e => e.Gid = 1234)
            .File("g/a", "a")
            .File("g/b", "b", 0x1a4, e => e.Gid = 1234)
            .File("g/c", "c")
            .Add(TarEntryType.SymbolicLink, "g/l", 0x1ff, e => e.LinkName = "a")
            .File("p/x", "x")
            .File("p/y", "y", 0x1a4, e => { e.Uid = 1000; e.Gid = 1000; })
            .File("p/z", "z");

        await ApplyAsync(layer.Build(), new LayerApplyOptions { WhiteoutMode = mode });

        Assert.That(Owner("g"), Is.EqualTo((0u, 1234u)));
        Assert.That(Owner("g/a"), Is.EqualTo((0u, 0u)));
        Assert.That(Owner("g/b"), Is.EqualTo((0u, 1234u)));
        Assert.That(Owner("g/c"), Is.EqualTo((0u, 0u)));
        Assert.That(Owner("g/l"), Is.EqualTo((0u, 0u)));
        Assert.That(Owner("p/x"), Is.EqualTo((0u, 0u)));
        Assert.That(Owner("p/y"), Is.EqualTo((1000u, 1000u)));
        Assert.That(Owner("p/z"), Is.EqualTo((0u, 0u)));
    }

    [TestCase(WhiteoutMode.Delete)]
    [TestCase(WhiteoutMode.Overlay)]
    public async Task ModesTheCreateMasksAreSetByTheEntry(WhiteoutMode mode)
    {
        // Under d the default ACL masks group and other bits; at the root the umask does (022 or stricter in the test
        // host, so 0666 loses bits; with umask 0 this half checks nothing the ACL half does not).
        var layer = new TarBuilder()
            .DirWithXattrs("d", 0x1ed, ("system.posix_acl_default", s_ownerOnlyDefaultAcl))
            .File("d/a", "a", 0x1a4)
            .File("d/b", "b", 0x1ed)
            .File("d/c", "c", 0x180)
            .File("d/e", "e", 0x1a4)
            .File("w", "w", 0x1b6)
            .File("v", "v", 0x1a4)
            .File("u", "u", 0x1b6)
            .File("s", "s", 0xded /* 06755 */);

        await ApplyAsync(layer.Build(), new LayerApplyOptions { WhiteoutMode = mode });

        Assert.That(Interop.LListXattr(InRoot("d")), Does.Contain("system.posix_acl_default"), "the ACL that masks creates under d");
        Assert.That(Mode("d/a"), Is.EqualTo(0x1a4u));
        Assert.That(Mode("d/b"), Is.EqualTo(0x1edu));
        Assert.That(Mode("d/c"), Is.EqualTo(0x180u));
        Assert.That(Mode("d/e"), Is.EqualTo(0x1a4u));
        Assert.That(Mode("w"), Is.EqualTo(0x1b6u));
        Assert.That(Mode("v"), Is.EqualTo(0x1a4u));
        Assert.That(Mode("u"), Is.EqualTo(0x1b6u));
        Assert.That(Mode("s"), Is.EqualTo(0xdedu));
    }

    private (uint Uid, uint Gid) Owner(string path)
    {
        Interop.Statx st = TreeSnapshot.LStat(InRoot(path));
        return (st.Uid, st.Gid);
    }

    private uint Mode(string path) => TreeSnapshot.LStat(InRoot(path)).Mode & 0xfffu;
}
