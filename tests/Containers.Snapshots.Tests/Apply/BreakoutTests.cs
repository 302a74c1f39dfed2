using static Containers.Snapshots.Tests.Apply.RootChecks;

namespace Containers.Snapshots.Tests.Apply;

/// <summary>
/// containerd's tar breakout cases (pkg/archive/tar_test.go, TestBreakouts), ported: each checks
/// containerd's expected outcome and, in addition, that nothing next to the root changed.
/// </summary>
[TestFixture]
internal sealed class BreakoutTests : ApplyFixture
{
    private const string Expected = "unbroken";

    private static readonly Action<string, string> s_unbroken = (root, _) => FileValue(root, "etc/unbroken", Expected);

    public static IEnumerable<BreakoutCase> Cases()
    {
        static TarBuilder T() => new();

        yield return new("SymlinkAbsolute", _ => T().Dir("etc").Symlink("/etc", "localetc").File("/localetc/unbroken", Expected), null, false, s_unbroken);
        yield return new("SymlinkUpAndOut", _ => T().Dir("etc").Dir("dummy").Symlink("/dummy/../etc", "localetc").File("/localetc/unbroken", Expected), null, false, s_unbroken);
        yield return new("SymlinkMultipleAbsolute", _ => T().Dir("etc").Dir("dummy").Symlink("/etc", "/dummy/etc").Symlink("/dummy/etc", "localetc").File("/dummy/etc/unbroken", Expected), null, false, s_unbroken);
        yield return new("SymlinkMultipleRelative", _ => T().Dir("etc").Dir("dummy").Symlink("/etc", "/dummy/etc").Symlink("./dummy/etc", "localetc").File("/dummy/etc/unbroken", Expected), null, false, s_unbroken);
        yield return new("SymlinkEmptyFile", _ => T().Dir("etc").File("etc/emptied", "notempty").Symlink("/etc", "localetc").File("/localetc/emptied", string.Empty), null, false,
            (root, _) => FileValue(root, "etc/emptied", string.Empty));
        yield return new("HardlinkRelative", _ => T().Dir("etc", 0x1f8).File("/etc/passwd", "inside").Dir("breakouts").Symlink("../../etc", "breakouts/d1").Link("/breakouts/d1/passwd", "breakouts/mypasswd"), null, false,
            (root, _) => SameFile(root, "/breakouts/mypasswd", "/etc/passwd"));
        yield return new("HardlinkDownAndOut", _ => T().Dir("etc", 0x1f8).File("/etc/passwd", "inside").Dir("breakouts").Dir("downandout").Symlink("../downandout/../../etc", "breakouts/d1").Link("/breakouts/d1/passwd", "breakouts/mypasswd"), null, false,
            (root, _) => SameFile(root, "/breakouts/mypasswd", "/etc/passwd"));
        yield return new("HardlinkAbsolute", _ => T().Dir("etc", 0x1f8).File("/etc/passwd", "inside").Symlink("/etc", "localetc").Link("/localetc/passwd", "localpasswd"), null, false,
            (root, _) => SameFile(root, "localpasswd", "/etc/passwd"));
        yield return new("HardlinkRelativeLong", _ => T().Dir("etc", 0x1f8).File("/etc/passwd", "inside").Symlink("../../../../../../../etc", "localetc").Link("/localetc/passwd", "localpasswd"), null, false,
            (root, _) => SameFile(root, "localpasswd", "/etc/passwd"));

        // Deliberate deviation: containerd expects success, because Go's fs.RootPath reads the
        // symlink text lexically and lets "upandout/.." cancel out although upandout does not
        // exist. The kernel (openat2) does not resolve through a missing directory, so the hard
        // link's target does not exist and the layer is refused; either way nothing escapes.
        yield return new("HardlinkRelativeUpAndOut", _ => T().Dir("etc", 0x1f8).File("/etc/passwd", "inside").Symlink("upandout/../../../etc", "localetc").Link("/localetc/passwd", "localpasswd"), null, true, null);
        yield return new("HardlinkDirectRelative", _ => T().Dir("etc", 0x1f8).File("/etc/passwd", "inside").Link("../../../../../etc/passwd", "localpasswd"), null, false,
            (root, _) => SameFile(root, "localpasswd", "/etc/passwd"));
        yield return new("HardlinkDirectAbsolute", _ => T().Dir("etc", 0x1f8).File("/etc/passwd", "inside").Link("/etc/passwd", "localpasswd"), null, false,
            (root, _) => SameFile(root, "localpasswd", "/etc/passwd"));
        yield return new("SymlinkParentDirectory", _ => T().Dir("etc", 0x1f8).File("/etc/passwd", "inside").Symlink("/etc/", "..").Link("/etc/passwd", "localpasswd"), null, false,
            (root, _) => SameFile(root, "/localpasswd", "/etc/passwd"));
        // TarWriter refuses an empty name; "." cleans to the same thing (the root), which is skipped.
        yield return new("SymlinkEmptyFilename", _ => T().Dir("etc", 0x1f8).File("/etc/passwd", "inside").Symlink("/etc/", ".").Link("/etc/passwd", "localpasswd"), null, false,
            (root, _) => SameFile(root, "/localpasswd", "/etc/passwd"));
        yield return new("SymlinkParentRelative", _ => T().Dir("etc", 0x1f8).File("/etc/passwd", "inside").Symlink("/etc/", "localetc/sub/..").Link("/etc/passwd", "/localetc/localpasswd"), null, false,
            (root, _) => SameFile(root, "/localetc/localpasswd", "/etc/passwd"));
        yield return new("SymlinkSlashEnded", _ => T().Dir("etc", 0x1f8).File("/etc/passwd", "inside").Dir("localetc/", 0x1f8).Link("/etc/passwd", "/localetc/localpasswd"), null, false,
            (root, _) => SameFile(root, "/localetc/localpasswd", "/etc/passwd"));
        yield return new("SymlinkOverrideDirectory", _ => T().Symlink("/etc", "localetc").Link("/etc/passwd", "/localetc/localpasswd"),
            root => { EtcPasswd(root, "inside"); Directory.CreateDirectory(Path.Combine(root, "localetc")); }, false,
            (root, _) => SameFile(root, "/localetc/localpasswd", "/etc/passwd"));
        yield return new("SymlinkOverrideDirectoryRelative", _ => T().Symlink("../../etc", "localetc").Link("/etc/passwd", "/localetc/localpasswd"),
            root => { EtcPasswd(root, "inside"); Directory.CreateDirectory(Path.Combine(root, "localetc")); }, false,
            (root, _) => SameFile(root, "/localetc/localpasswd", "/etc/passwd"));
        yield return new("DirectoryOverrideSymlink", _ => T().Dir("/localetc/").Link("/etc/passwd", "/localetc/localpasswd"),
            root => { EtcPasswd(root, "inside"); File.CreateSymbolicLink(Path.Combine(root, "localetc"), "/etc"); }, false,
            (root, _) => SameFile(root, "/localetc/localpasswd", "/etc/passwd"));
        yield return new("DirectoryOverrideSymlinkAndHardlink", _ => T().Dir("/localetc/").File("/localetc/localpasswd", "different"),
            root =>
            {
                EtcPasswd(root, "inside");
                File.CreateSymbolicLink(Path.Combine(root, "localetc"), "etc");
                HardLink(root, "/etc/passwd", "/localetc/localpasswd");
            },
            false, (root, _) => NotSameFile(root, "/localetc/localpasswd", "/etc/passwd"));
        yield return new("WhiteoutRootParent", _ => T().Whiteout(".wh..."), root => EtcPasswd(root, "inside"), true, null);
        yield return new("WhiteoutParent", _ => T().Whiteout("etc/.wh..."), root => EtcPasswd(root, "inside"), true, null);
        yield return new("WhiteoutRoot", _ => T().Whiteout(".wh.."), root => EtcPasswd(root, "inside"), true, null);
        yield return new("WhiteoutCurrentDirectory", _ => T().Whiteout("etc/.wh.."), root => EtcPasswd(root, "inside"), true, null);
        yield return new("WhiteoutSymlink", _ => T().Whiteout(".wh.localetc"),
            root => { EtcPasswd(root, "all users"); File.CreateSymbolicLink(Path.Combine(root, "localetc"), "/etc"); }, false,
            (root, _) => { FileValue(root, "etc/passwd", "all users"); NotExists(root, "localetc"); });
        yield return new("WhiteoutSymlinkPath", _ => T().Whiteout("localetc/.wh.whitedout"),
            root =>
            {
                EtcPasswd(root, "all users");
                File.WriteAllText(Path.Combine(root, "etc", "whitedout"), "ahhhh whiteout");
                File.CreateSymbolicLink(Path.Combine(root, "localetc"), "/etc");
            },
            false, (root, _) => { FileValue(root, "etc/passwd", "all users"); NotExists(root, "etc/whitedout"); });
        yield return new("WhiteoutDirectoryName", _ => T().File(".wh.etc/somefile", "non-empty"),
            root =>
            {
                EtcPasswd(root, "all users");
                File.WriteAllText(Path.Combine(root, "etc", "whitedout"), "ahhhh whiteout");
                File.CreateSymbolicLink(Path.Combine(root, "localetc"), "/etc");
            },
            false, (root, _) => { FileValue(root, "etc/passwd", "all users"); FileValue(root, ".wh.etc/somefile", "non-empty"); });
        yield return new("WhiteoutDeadSymlinkParent", _ => T().Whiteout("localetc/.wh.etc"),
            root => { EtcPasswd(root, "all users"); File.CreateSymbolicLink(Path.Combine(root, "localetc"), "/dne"); }, false,
            (root, _) => FileValue(root, "etc/passwd", "all users"));
        yield return new("WhiteoutRelativePath", _ => T().Whiteout("dne/../.wh.etc"),
            root => { EtcPasswd(root, "all users"); File.CreateSymbolicLink(Path.Combine(root, "localetc"), "/dne"); }, false,
            (root, _) => NotExists(root, "etc/passwd"));
        yield return new("HardlinkSymlinkBeforeCreateTarget", _ => T().Dir("etc", 0x1f8).Symlink("/etc/passwd", "localpasswd").Link("localpasswd", "localpasswd-dup").File("/etc/passwd", "after"), null, false,
            (root, _) => SameFile(root, "localpasswd-dup", "/etc/passwd"));
        yield return new("HardlinkSymlinkRelative", _ => T().Dir("etc", 0x1f8).File("/etc/passwd", "inside").Symlink("../../../../../etc/passwd", "passwdlink").Link("/passwdlink", "localpasswd"), null, false,
            (root, _) => { SameSymlink(root, "/localpasswd", "/passwdlink"); SameFile(root, "/localpasswd", "/etc/passwd"); });
        yield return new("HardlinkSymlinkAbsolute", _ => T().Dir("etc", 0x1f8).File("/etc/passwd", "inside").Symlink("/etc/passwd", "passwdlink").Link("/passwdlink", "localpasswd"), null, false,
            (root, _) => { SameSymlink(root, "/localpasswd", "/passwdlink"); SameFile(root, "/localpasswd", "/etc/passwd"); });
        yield return new("HardlinkSymlinkChmod", work =>
            {
                string perm400 = Path.Combine(work, "perm400");
                File.WriteAllText(perm400, "...");
                File.SetUnixFileMode(perm400, UnixFileMode.UserRead);
                string outside = Path.Combine(work, "also-exists-outside-root");
                File.WriteAllText(outside, "...");
                File.SetUnixFileMode(outside, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
                return T().Symlink(perm400, outside).Link(outside, "sketchylink");
            },
            null, false,
            (_, work) => Assert.That(File.GetUnixFileMode(Path.Combine(work, "perm400")), Is.EqualTo(UnixFileMode.UserRead)));

        // Beyond containerd's list: names that climb or are absolute, and a symlinked parent
        // that points outside for a regular file.
        yield return new("EntryNameClimbsAboveRoot", _ => T().Dir("etc").File("../../etc/unbroken", Expected), null, false, s_unbroken);
        yield return new("FileThroughAbsoluteSymlinkToHost", _ => T().Symlink("/", "host").File("host/etc/unbroken", Expected), null, false, s_unbroken);
        yield return new("FileThroughSymlinkToRootParent", _ => T().Symlink("..", "up").File("up/etc/unbroken", Expected), null, false, s_unbroken);
        yield return new("HardlinkToRootRefused", _ => T().Link("/", "rootlink"), null, true, null);
        yield return new("ProcSelfRootSymlinkStaysInside", _ => T().Symlink("/proc/self/root/etc", "magic").File("magic/unbroken", Expected), null, true, null);
    }

    [TestCaseSource(nameof(Cases))]
    public async Task Breakout(BreakoutCase test)
    {
        ArgumentNullException.ThrowIfNull(test);
        test.Setup?.Invoke(Root);
        byte[] layer = test.Layer(Work).Build();
        List<string> before = Outside();

        if (test.ExpectInvalid)
        {
            Assert.That(() => ApplyAsync(layer), Throws.TypeOf<InvalidLayerException>());
        }
        else
        {
            await ApplyAsync(layer);
            test.Validate?.Invoke(Root, Work);
        }

        Assert.That(Outside(), Is.EqualTo(before), "something outside the root changed");
    }

    private static void EtcPasswd(string root, string content)
    {
        Directory.CreateDirectory(Path.Combine(root, "etc"));
        File.WriteAllText(Path.Combine(root, "etc", "passwd"), content);
    }
}
