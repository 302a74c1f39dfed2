using System.Diagnostics;
using System.Formats.Tar;
using Containers.Diff;
using Containers.Snapshots.Diff;

namespace Containers.Snapshots.Tests.Apply;

/// <summary>
/// GNU tar as the oracle: the same layer extracted by <c>tar -xpf --xattrs --same-owner
/// --numeric-owner</c> and by the applier gives identical trees (names, types, modes, owners,
/// sizes, contents, link targets, device numbers, hard link grouping, mtimes, xattrs).
/// </summary>
[TestFixture]
internal sealed class GnuTarOracleTests : ApplyFixture
{
    private static readonly LayerApplyOptions s_devices = new() { AllowDeviceNodes = true };

    [Test]
    public async Task LayerWrittenByTarWriterMatchesGnuTar()
    {
        byte[] capability = [0x01, 0x00, 0x00, 0x02, 0x00, 0x20, 0x00, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        var random = new Random(42);
        byte[] big = new byte[3 * 1024 * 1024 + 17];
        random.NextBytes(big);
        // Depth-first order, as a tar of a real tree has: GNU tar sets a directory's time when
        // it leaves it, so entries that come back into a finished directory would change it
        // there (the applier restores all directory times at the end instead).
        string longDir = "srv/" + new string('n', 120);
        var layer = new TarBuilder { Uid = 0, Gid = 0 }
            .Dir("dev")
            .Node(TarEntryType.CharacterDevice, "dev/null", 0x1b6, 1, 3)
            .Node(TarEntryType.BlockDevice, "dev/sda9", 0x1b0, 8, 9, e => e.Gid = 6)
            .Node(TarEntryType.Fifo, "dev/initctl", 0x180)
            .Dir("etc")
            .File("etc/hosts", "127.0.0.1 localhost\n")
            .File("etc/shadow", "root:*:1::::::\n", 0x180, e => e.Gid = 42)
            .Link("etc/hosts", "etc/hosts.allow")
            .Dir("home").Dir("home/user", 0x1c0, e => { e.Uid = 1000; e.Gid = 1000; })
            .File("home/user/.profile", "export A=1\n", 0x1a4, e => { e.Uid = 1000; e.Gid = 1000; e.ModificationTime = new DateTimeOffset(1999, 12, 31, 23, 59, 59, TimeSpan.Zero); })
            .Dir("srv", 0x5ed /* 02755 */).Dir(longDir).File(longDir + "/" + new string('m', 120), "long", 0x1a4)
            .Dir("tmp", 0x3ff)
            .Dir("usr", 0x1ed)
            .Dir("usr/bin")
            .File("usr/bin/suid", "#!/bin/sh\n", 0x9ed)
            .File("usr/bin/sgid", "#!/bin/sh\n", 0x5ed, e => e.Gid = 5)
            .FileWithXattrs("usr/bin/ping", "ping", 0x1ed, ("security.capability", capability), ("user.origin", "test"u8.ToArray()))
            .Dir("usr/lib")
            .File("usr/lib/big.so", big, 0x1ed)
            .File("usr/lib/empty", [])
            .Symlink("big.so", "usr/lib/big.so.1")
            .Symlink("/usr/lib/big.so", "usr/lib/abs")
            .Symlink("../nowhere", "usr/lib/dangling")
            .Link("usr/lib/big.so", "usr/lib/big-hard.so");

        string tarFile = Path.Combine(Work, "layer.tar");
        await File.WriteAllBytesAsync(tarFile, layer.Build());

        await CompareWithGnuTarAsync(tarFile);
    }

    [Test]
    public async Task LayerWrittenByGnuTarMatchesGnuTar()
    {
        // A layer as GNU tar writes it (PAX with binary SCHILY.xattr values from setcap).
        string source = Path.Combine(Work, "source");
        Directory.CreateDirectory(source);
        await RunAsync("sh", "-ec", """
            cd "$0"
            mkdir -p bin etc/sub var/empty dev && chmod 1777 var/empty && chmod 2750 etc/sub
            printf 'hello\n' > etc/hello && chown 7:8 etc/hello && chmod 640 etc/hello
            head -c 1000000 /dev/urandom > bin/blob && ln bin/blob bin/blob2
            printf '#!/bin/sh\n' > bin/ping && chmod 4755 bin/ping && setcap cap_net_raw,cap_setfcap+ep bin/ping
            ln -s ../etc/hello bin/rel && ln -s /etc/hello bin/abs
            mkfifo dev/fifo && mknod dev/zero c 1 5
            touch -h -d '2020-02-02 02:02:02' bin/rel etc/hello bin/blob var/empty
            """, source);
        string tarFile = Path.Combine(Work, "gnu.tar");
        await RunAsync("tar", "--format=posix", "--xattrs", "--xattrs-include=*", "--numeric-owner", "-cf", tarFile, "-C", source, ".");

        await CompareWithGnuTarAsync(tarFile);
        Assert.That(Interop.LGetXattr(InRoot("bin/ping"), "security.capability"), Has.Length.EqualTo(20));
    }

    [Test]
    public async Task XattrValuesWithNewlinesMatchGnuTar()
    {
        // PAX records are length-prefixed, so a value may hold 0x0a bytes; GNU tar writes them as they are.
        string source = Path.Combine(Work, "source");
        Directory.CreateDirectory(Path.Combine(source, "dir"));
        await File.WriteAllTextAsync(Path.Combine(source, "dir/file"), "x");
        byte[] lines = "one\ntwo\n"u8.ToArray();
        byte[] binary = [0x0a, 0x00, 0xff, 0x0a, 0x0a];
        Assert.That(Interop.LSetXattr(Path.Combine(source, "dir/file"), "user.lines", lines), Is.Zero);
        Assert.That(Interop.LSetXattr(Path.Combine(source, "dir/file"), "user.binary", binary), Is.Zero);
        Assert.That(Interop.LSetXattr(Path.Combine(source, "dir/file"), "user.plain", "plain"u8), Is.Zero);
        Assert.That(Interop.LSetXattr(Path.Combine(source, "dir"), "user.nl", "\n"u8), Is.Zero);
        string tarFile = Path.Combine(Work, "newlines.tar");
        await RunAsync("tar", "--format=posix", "--xattrs", "--xattrs-include=*", "--numeric-owner", "-cf", tarFile, "-C", source, ".");

        await CompareWithGnuTarAsync(tarFile, minimumEntries: 1);
        Assert.That(Interop.LGetXattr(InRoot("dir/file"), "user.lines"), Is.EqualTo(lines));
        Assert.That(Interop.LGetXattr(InRoot("dir/file"), "user.binary"), Is.EqualTo(binary));
        Assert.That(Interop.LGetXattr(InRoot("dir/file"), "user.plain"), Is.EqualTo("plain"u8.ToArray()));
        Assert.That(Interop.LGetXattr(InRoot("dir"), "user.nl"), Is.EqualTo("\n"u8.ToArray()));
    }

    /// <summary>
    /// GNU tar stores a name holding a newline in a PAX <c>path</c>/<c>linkpath</c> record (posix) or in the ustar
    /// field or a long-name entry (gnu), and extracts it as it is; so does the applier. A sibling whose name has a
    /// space where the other has a newline stays apart. The differ writes such names back (round trip).
    /// </summary>
    [Test]
    public async Task NamesWithNewlinesMatchGnuTar([Values("posix", "gnu")] string format)
    {
        string source = Path.Combine(Work, "source");
        Directory.CreateDirectory(source);
        await RunAsync("sh", "-ec", """
            cd "$0"
            nl='
            '
            mkdir "d${nl}ir" && printf in > "d${nl}ir/inside"
            printf newline > "new${nl}line" && printf space > "new line"
            ln -s "new${nl}line" "li${nl}nk" && ln "new${nl}line" "ha${nl}rd"
            long=$(printf 'l%.0s' $(seq 1 120))
            printf long > "$long${nl}tail"
            """, source);
        string tarFile = Path.Combine(Work, "names.tar");
        await RunAsync("tar", "--format=" + format, "--numeric-owner", "-cf", tarFile, "-C", source, ".");

        await CompareWithGnuTarAsync(tarFile, minimumEntries: 5);
        Assert.That(File.ReadAllText(InRoot("new\nline")), Is.EqualTo("newline"));
        Assert.That(File.ReadAllText(InRoot("new line")), Is.EqualTo("space"));
        Assert.That(new FileInfo(InRoot("li\nnk")).LinkTarget, Is.EqualTo("new\nline"));
        Assert.That(File.ReadAllText(InRoot("d\nir/inside")), Is.EqualTo("in"));

        using var diff = new MemoryStream();
        await new LayerDiffer().DiffAsync(null, Root, diff);
        string again = Path.Combine(Work, "again");
        Directory.CreateDirectory(again);
        diff.Position = 0;
        await Applier.ApplyAsync(diff, again, s_devices);
        // TarWriter's entries carry 100 ns mtimes (see STATUS), so the last two digits are not compared.
        static List<string> To100Ns(List<string> lines) => [.. lines.Select(l => System.Text.RegularExpressions.Regex.Replace(l, @"(mtime=\d+\.\d{7})\d{2}", "$1"))];
        Assert.That(To100Ns(TreeSnapshot.Capture(again)), Is.EqualTo(To100Ns(TreeSnapshot.Capture(Root))));
    }

    private async Task CompareWithGnuTarAsync(string tarFile, int minimumEntries = 10)
    {
        string oracle = Path.Combine(Work, "oracle");
        Directory.CreateDirectory(oracle);
        await RunAsync("tar", "-xpf", tarFile, "--xattrs", "--xattrs-include=*", "--same-owner", "--numeric-owner", "-C", oracle);

        await using (FileStream layer = File.OpenRead(tarFile))
        {
            await Applier.ApplyAsync(layer, Root, s_devices);
        }

        List<string> expected = TreeSnapshot.Capture(oracle);
        Assert.That(expected, Has.Count.GreaterThan(minimumEntries));
        Assert.That(TreeSnapshot.Capture(Root), Is.EqualTo(expected));
    }

    private static async Task RunAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardError = true };
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }

        using Process process = Process.Start(start)!;
        string stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.That(process.ExitCode, Is.Zero, $"{file}: {stderr}");
    }
}
