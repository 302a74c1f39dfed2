using Containers.Snapshots.Tests.Apply;
using Containers.Testing;

namespace Containers.Snapshots.Tests.Native;

/// <summary>The native snapshotter's copy against <c>cp -a</c> (GNU coreutils) of the same tree.</summary>
[NonParallelizable]
public sealed class TreeCopierTests
{
    [Test]
    public async Task CopyMatchesCpArchive()
    {
        if (!File.ReadAllLines("/proc/self/status").Any(l => l.StartsWith("Uid:\t0\t", StringComparison.Ordinal)))
        {
            Assert.Ignore("needs root for owners and device nodes");
        }

        using var temp = new TempDirectory("snap-copy-");
        string source = temp.Combine("src");
        Directory.CreateDirectory(Path.Combine(source, "dir/sub"));
        File.WriteAllText(Path.Combine(source, "dir/file"), "hello");
        File.WriteAllBytes(Path.Combine(source, "big"), new byte[3 << 20].Select((_, i) => (byte)(i * 7)).ToArray());
        File.WriteAllText(Path.Combine(source, "setuid"), "s");
        File.SetUnixFileMode(Path.Combine(source, "setuid"), (UnixFileMode)0xDED); // 06755
        File.SetUnixFileMode(Path.Combine(source, "dir/sub"), (UnixFileMode)0x3FF); // 01777
        Assert.That(Interop.LChown(Path.Combine(source, "dir/file"), 1000, 2000), Is.Zero);
        RootChecks.HardLink(source, "dir/file", "dir/sub/hard");
        File.CreateSymbolicLink(Path.Combine(source, "link"), "dir/file");
        Assert.That(Interop.LChown(Path.Combine(source, "link"), 5, 6), Is.Zero);
        await Tool.RunCheckedAsync("mknod", Path.Combine(source, "null"), "c", "1", "3");
        await Tool.RunCheckedAsync("mkfifo", Path.Combine(source, "fifo"));
        Assert.That(Interop.LSetXattr(Path.Combine(source, "dir/file"), "user.note", "x"u8), Is.Zero);
        Assert.That(Interop.LSetXattr(Path.Combine(source, "dir"), "trusted.overlay.opaque", "y"u8), Is.Zero);
        await Tool.RunCheckedAsync("setcap", "cap_net_raw+ep", Path.Combine(source, "setuid"));
        await Tool.RunCheckedAsync("touch", "-h", "-d", "2001-02-03 04:05:06.123456789", Path.Combine(source, "link"));
        await Tool.RunCheckedAsync("touch", "-d", "2002-02-03 04:05:06.5", Path.Combine(source, "dir"));

        string ours = temp.Combine("ours");
        Directory.CreateDirectory(ours);
        TreeCopier.Copy(source, ours, CancellationToken.None);
        string cp = temp.Combine("cp");
        await Tool.RunCheckedAsync("cp", "-a", "--preserve=all", source, cp);

        List<string> expected = TreeSnapshot.Capture(cp, withTimes: true);
        Assert.That(TreeSnapshot.Capture(ours, withTimes: true), Is.EqualTo(expected));
        Assert.That(string.Join('\n', expected), Does.Contain("security.capability").And.Contain("hardlink-of").And.Contain("rdev=1:3"), "the tree exercises what it should");
    }
}
