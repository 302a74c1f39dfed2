using System.Formats.Tar;
using Containers.Diff;

namespace Containers.Snapshots.Tests.Apply;

/// <summary>Every entry kind, with owner, mode (setuid/setgid/sticky), mtime and xattrs, checked by lstat.</summary>
[TestFixture]
internal sealed class EntryKindTests : ApplyFixture
{
    // VFS_CAP_REVISION_2 | effective; permitted = CAP_NET_RAW | CAP_SETFCAP. The 0x80 byte is not
    // valid UTF-8 on its own, so this only survives if the raw PAX bytes are used.
    private static readonly byte[] s_capability =
        [0x01, 0x00, 0x00, 0x02, 0x00, 0x20, 0x00, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

    private static readonly DateTimeOffset s_time = new(2019, 7, 8, 9, 10, 11, TimeSpan.Zero);

    [Test]
    public async Task AllKindsRoundTrip()
    {
        var layer = new TarBuilder { Uid = 1000, Gid = 2000, Time = s_time }
            .Dir("dir", 0x5e8 /* 02750 */)
            .Dir("tmp", 0x3ff /* 01777 */)
            .File("dir/suid", "#!/bin/sh\n", 0x9ed /* 04755 */, e => { e.Uid = 12; e.Gid = 34; })
            .FileWithXattrs("dir/ping", "binary", 0x1ed, ("security.capability", s_capability), ("user.comment", "hello"u8.ToArray()))
            .Symlink("suid", "dir/link")
            .Link("dir/suid", "dir/hard")
            .Node(TarEntryType.CharacterDevice, "dev/null", 0x1b6, 1, 3)
            .Node(TarEntryType.BlockDevice, "dev/loop9", 0x1b0, 7, 9)
            .Node(TarEntryType.Fifo, "dev/fifo", 0x180);

        LayerApplyResult result = await ApplyAsync(layer.Build(), new LayerApplyOptions { AllowDeviceNodes = true });

        Assert.That(result.Entries, Is.EqualTo(layer.Count));
        Assert.That(result.SkippedEntries, Is.Zero);

        Interop.Statx dir = TreeSnapshot.LStat(InRoot("dir"));
        Assert.That((dir.FileType, dir.Mode & 0xfff, dir.Uid, dir.Gid), Is.EqualTo((Interop.S_IFDIR, 0x5e8u, 1000u, 2000u)));
        Assert.That(dir.Mtime.Seconds, Is.EqualTo(s_time.ToUnixTimeSeconds()), "directory mtime restored after its children");
        Assert.That(TreeSnapshot.LStat(InRoot("tmp")).Mode & 0xfff, Is.EqualTo(0x3ffu));

        Interop.Statx suid = TreeSnapshot.LStat(InRoot("dir/suid"));
        Assert.That((suid.FileType, suid.Mode & 0xfff, suid.Uid, suid.Gid, suid.Size), Is.EqualTo((Interop.S_IFREG, 0x9edu, 12u, 34u, 10ul)));
        Assert.That(suid.Mtime.Seconds, Is.EqualTo(s_time.ToUnixTimeSeconds()));
        Assert.That(suid.Nlink, Is.EqualTo(2u));
        Assert.That(TreeSnapshot.LStat(InRoot("dir/hard")).Ino, Is.EqualTo(suid.Ino));

        Assert.That(Interop.LGetXattr(InRoot("dir/ping"), "security.capability"), Is.EqualTo(s_capability));
        Assert.That(Interop.LGetXattr(InRoot("dir/ping"), "user.comment"), Is.EqualTo("hello"u8.ToArray()));

        Interop.Statx link = TreeSnapshot.LStat(InRoot("dir/link"));
        Assert.That((link.FileType, link.Uid, link.Gid), Is.EqualTo((Interop.S_IFLNK, 1000u, 2000u)));
        Assert.That(new FileInfo(InRoot("dir/link")).LinkTarget, Is.EqualTo("suid"));
        Assert.That(link.Mtime.Seconds, Is.EqualTo(s_time.ToUnixTimeSeconds()));

        Interop.Statx chr = TreeSnapshot.LStat(InRoot("dev/null"));
        Assert.That((chr.FileType, chr.Mode & 0xfff, chr.RdevMajor, chr.RdevMinor), Is.EqualTo((Interop.S_IFCHR, 0x1b6u, 1u, 3u)));
        Interop.Statx blk = TreeSnapshot.LStat(InRoot("dev/loop9"));
        Assert.That((blk.FileType, blk.Mode & 0xfff, blk.RdevMajor, blk.RdevMinor), Is.EqualTo((Interop.S_IFBLK, 0x1b0u, 7u, 9u)));
        Interop.Statx fifo = TreeSnapshot.LStat(InRoot("dev/fifo"));
        Assert.That((fifo.FileType, fifo.Mode & 0xfff, fifo.Uid), Is.EqualTo((Interop.S_IFIFO, 0x180u, 1000u)));
        Assert.That(TreeSnapshot.LStat(InRoot("dev")).Mode & 0xfff, Is.EqualTo(0x1edu), "a parent missing from the layer is created 0755");
    }

    [TestCase(WhiteoutMode.Delete)]
    [TestCase(WhiteoutMode.Overlay)]
    public async Task OverlayControlXattrsFromTheLayerAreDropped(WhiteoutMode mode)
    {
        var layer = new TarBuilder().FileWithXattrs("f", "x", 0x1a4, ("trusted.overlay.redirect", "/etc"u8.ToArray()), ("trusted.overlay.opaque", "y"u8.ToArray()), ("user.kept", "1"u8.ToArray()));

        await ApplyAsync(layer.Build(), new LayerApplyOptions { WhiteoutMode = mode });

        Assert.That(Interop.LListXattr(InRoot("f")), Is.EqualTo(new[] { "user.kept" }));
    }

    [Test]
    public async Task DevicesAreSkippedUnlessAllowed()
    {
        var layer = new TarBuilder()
            .Node(TarEntryType.CharacterDevice, "dev/null", 0x1b6, 1, 3)
            .Node(TarEntryType.Fifo, "dev/fifo", 0x180);

        LayerApplyResult result = await ApplyAsync(layer.Build());

        Assert.That(result.SkippedEntries, Is.EqualTo(1));
        Assert.That(TreeSnapshot.Exists(InRoot("dev/null")), Is.False);
        Assert.That(TreeSnapshot.LStat(InRoot("dev/fifo")).FileType, Is.EqualTo(Interop.S_IFIFO));
    }

    [Test]
    public async Task LongNamesAndLinkTargetsRoundTrip()
    {
        string deep = string.Join('/', Enumerable.Range(0, 12).Select(i => $"directory-number-{i:D2}-with-a-long-name"));
        string target = new('t', 300);
        var layer = new TarBuilder().File(deep + "/file", "deep").Symlink(target, "short-link");

        await ApplyAsync(layer.Build());

        Assert.That(File.ReadAllText(InRoot(deep + "/file")), Is.EqualTo("deep"));
        Assert.That(new FileInfo(InRoot("short-link")).LinkTarget, Is.EqualTo(target));
    }

    [Test]
    public async Task GnuLongNamesAreRead()
    {
        string name = new string('g', 150) + "/" + new string('h', 120);
        var output = new MemoryStream();
        using (var writer = new TarWriter(output, TarEntryFormat.Gnu, leaveOpen: true))
        {
            writer.WriteEntry(new GnuTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream("gnu"u8.ToArray()), Mode = (UnixFileMode)0x1a4 });
            writer.WriteEntry(new GnuTarEntry(TarEntryType.SymbolicLink, "l") { LinkName = name });
        }

        await ApplyAsync(output.ToArray());

        Assert.That(File.ReadAllText(InRoot(name)), Is.EqualTo("gnu"));
        Assert.That(new FileInfo(InRoot("l")).LinkTarget, Is.EqualTo(name));
    }

    [Test]
    public async Task ExistingFileIsReplacedNotWrittenThrough()
    {
        await ApplyAsync(new TarBuilder().File("a", "lower").Link("a", "b").Build());

        await ApplyAsync(new TarBuilder().File("b", "upper").Build());

        Assert.That(File.ReadAllText(InRoot("a")), Is.EqualTo("lower"), "the lower hard link partner is untouched");
        Assert.That(File.ReadAllText(InRoot("b")), Is.EqualTo("upper"));
    }

    [Test]
    public async Task IdMapShiftsOwnersAndRefusesUnmapped()
    {
        var options = new LayerApplyOptions { IdMap = LayerIdMap.Shift(100000, 65536) };
        await ApplyAsync(new TarBuilder { Uid = 5, Gid = 6 }.File("f", "x").Symlink("f", "l").Build(), options);

        Assert.That((TreeSnapshot.LStat(InRoot("f")).Uid, TreeSnapshot.LStat(InRoot("f")).Gid), Is.EqualTo((100005u, 100006u)));
        Assert.That(TreeSnapshot.LStat(InRoot("l")).Uid, Is.EqualTo(100005u));

        Assert.That(
            () => ApplyAsync(new TarBuilder { Uid = 70000 }.File("g", "x").Build(), options),
            Throws.TypeOf<InvalidLayerException>().With.Property(nameof(InvalidLayerException.Reason)).EqualTo(InvalidLayerReason.UnmappedOwner));
    }

    [Test]
    public async Task RootEntriesAreSkipped()
    {
        LayerApplyResult result = await ApplyAsync(new TarBuilder().Dir("./", 0x1ff).Dir("/", 0x1ff).File("f", "x").Build());

        Assert.That(result.SkippedEntries, Is.EqualTo(2));
        Assert.That(TreeSnapshot.LStat(Root).Mode & 0xfff, Is.Not.EqualTo(0x1ffu), "the root's own mode is the caller's");
    }
}
