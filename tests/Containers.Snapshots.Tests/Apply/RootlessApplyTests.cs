using System.Buffers.Binary;
using System.Formats.Tar;
using Containers.Testing;
using static Containers.Snapshots.Tests.Apply.UserNamespaceHelper;

namespace Containers.Snapshots.Tests.Apply;

/// <summary>
/// Applying layers as an unprivileged user inside a user namespace. The applier runs in a helper process
/// (tests/Containers.Snapshots.CrashHelper, verb <c>apply</c>) started as uid/gid 65534 by <c>setpriv</c> inside
/// <c>unshare --user --map-root-user</c> (util-linux), so it is root of a namespace that maps only 0 → 65534:
/// device nodes are skipped with a note, <c>trusted.*</c> xattrs are skipped with a note, <c>security.capability</c>
/// is stored by the kernel as a v3 capability of the namespace's root, and an owner outside the map fails clearly.
/// The test process itself never forks or unshares (DESIGN §2): it only starts <c>setpriv</c>.
/// </summary>
[NonParallelizable]
public sealed class RootlessApplyTests
{
    private const int Nobody = UserNamespaceHelper.Nobody;

    [Test]
    public async Task DevicesAndPrivilegedXattrsAreSkippedWithNotesAndOwnersGoThroughTheMap()
    {
        await RequireUserNamespacesAsync();
        using var temp = new TempDirectory("snap-rootless-");
        AllowNobody(temp.Path);
        byte[] capability = new byte[20];
        BinaryPrimitives.WriteUInt32LittleEndian(capability, 0x02000001); // v2, effective
        BinaryPrimitives.WriteUInt32LittleEndian(capability.AsSpan(4), 1u << 13); // CAP_NET_RAW permitted
        byte[] layer = new TarBuilder()
            .Dir("dev")
            .Node(TarEntryType.CharacterDevice, "dev/null", 0x1b6, 1, 3)
            .Node(TarEntryType.BlockDevice, "dev/loop0", 0x1b0, 7, 0)
            .Node(TarEntryType.Fifo, "dev/fifo", 0x1a4)
            .Dir("bin")
            .File("bin/su", "setuid", 0x9ed)
            .FileWithXattrs("bin/ping", "ping", 0x1ed, ("user.kept", "yes"u8.ToArray()), ("trusted.dropped", "t"u8.ToArray()), ("security.capability", capability))
            .Symlink("su", "bin/su-link")
            .Link("bin/su", "bin/su-hard")
            .Build();
        string layerPath = temp.Combine("layer.tar");
        await File.WriteAllBytesAsync(layerPath, layer);
        string root = MakeRootFor(temp, "out");

        ToolResult result = await RunHelperAsync(root, layerPath);

        Assert.That(result.ExitCode, Is.EqualTo(0), result.StandardError);
        Assert.That(result.StandardOutput, Does.Contain("skipped 2"));
        Assert.That(result.StandardOutput, Does.Contain("note dev/null: character device 1:3 skipped: a user namespace cannot create device nodes"));
        Assert.That(result.StandardOutput, Does.Contain("note dev/loop0: block device 7:0 skipped: a user namespace cannot create device nodes"));
        Assert.That(result.StandardOutput, Does.Contain("note bin/ping: xattr trusted.dropped not set: needs privilege outside this user namespace"));
        Assert.That(File.Exists(Path.Combine(root, "dev", "null")) || Directory.Exists(Path.Combine(root, "dev", "null")), Is.False);
        Assert.That(new FileInfo(Path.Combine(root, "dev", "loop0")).Exists, Is.False);
        Assert.That(File.GetUnixFileMode(Path.Combine(root, "bin", "su")), Is.EqualTo((UnixFileMode)0x9ed), "setuid kept: the namespace's root owns the file");
        RootChecks.SameFile(root, "bin/su", "bin/su-hard");

        // Owner 0 in the layer is 65534 outside: the id map, not the applier, decided it.
        List<string> tree = FileTree.Capture(root);
        Assert.That(tree.Where(l => !l.Contains($"uid={Nobody} gid={Nobody}", StringComparison.Ordinal)), Is.Empty, string.Join('\n', tree));
        Assert.That(tree, Has.One.Matches<string>(l => l.StartsWith("dev/fifo: fifo", StringComparison.Ordinal)));

        string ping = Path.Combine(root, "bin", "ping");
        Assert.That(FileTree.GetXattr(ping, "user.kept"), Is.EqualTo("yes"u8.ToArray()));
        Assert.That(() => FileTree.GetXattr(ping, "trusted.dropped"), Throws.Exception);

        // The kernel rewrote the v2 capability as v3, owned by the namespace's root (host uid 65534).
        byte[] stored = FileTree.GetXattr(ping, "security.capability");
        Assert.That(stored, Has.Length.EqualTo(24));
        Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(stored) & 0xFF000000, Is.EqualTo(0x03000000u));
        Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(stored.AsSpan(4)), Is.EqualTo(1u << 13));
        Assert.That(BinaryPrimitives.ReadUInt32LittleEndian(stored.AsSpan(20)), Is.EqualTo((uint)Nobody));
    }

    [Test]
    public async Task AnOwnerOutsideTheMapFailsNamingTheEntryAndTheMap()
    {
        await RequireUserNamespacesAsync();
        using var temp = new TempDirectory("snap-rootless-");
        AllowNobody(temp.Path);
        byte[] layer = new TarBuilder().Dir("home").Build();
        byte[] foreign = new TarBuilder { Uid = 1000, Gid = 1000 }.File("home/user-file", "x").Build();
        string first = temp.Combine("base.tar");
        string second = temp.Combine("foreign.tar");
        await File.WriteAllBytesAsync(first, layer);
        await File.WriteAllBytesAsync(second, foreign);
        string root = MakeRootFor(temp, "out");

        ToolResult result = await RunHelperAsync(root, first, second);

        Assert.That(result.ExitCode, Is.EqualTo(3), result.StandardOutput + result.StandardError);
        Assert.That(result.StandardError, Does.StartWith("InvalidLayerException UnmappedOwner"));
        Assert.That(result.StandardError, Does.Contain("home/user-file"));
        Assert.That(result.StandardError, Does.Contain("owner 1000:1000"));
        Assert.That(result.StandardError, Does.Contain($"uid_map: 0 {Nobody} 1"));
    }

    /// <summary>
    /// The same image unpacked by Debian's <c>umoci raw unpack --rootless</c> (as uid 65534, without a namespace)
    /// gives the same tree, except where umoci documents a fallback: a device node becomes an empty file with
    /// the node's mode there (umoci 0.4.7) and is absent here; <c>security.capability</c> is dropped there (EPERM) and translated here.
    /// </summary>
    [Test]
    public async Task TreeEqualsUmociRootlessUnpackExceptDeviceNodes()
    {
        await RequireUserNamespacesAsync();
        if (!File.Exists("/usr/bin/umoci"))
        {
            Assert.Ignore("umoci is not installed");
        }

        using var temp = new TempDirectory("snap-rootless-");
        AllowNobody(temp.Path);
        string extra = temp.Combine("extra");
        Directory.CreateDirectory(Path.Combine(extra, "dev"));
        Directory.CreateDirectory(Path.Combine(extra, "etc", "conf.d"));
        await Tool.RunCheckedAsync("mknod", Path.Combine(extra, "dev", "null"), "c", "1", "3");
        await Tool.RunCheckedAsync("mknod", Path.Combine(extra, "dev", "loop0"), "b", "7", "0");
        await Tool.RunCheckedAsync("mkfifo", Path.Combine(extra, "dev", "fifo"));
        await File.WriteAllTextAsync(Path.Combine(extra, "etc", "conf.d", "a.conf"), "a=1\n");
        File.SetUnixFileMode(Path.Combine(extra, "etc", "conf.d", "a.conf"), (UnixFileMode)0x9ed);
        File.CreateSymbolicLink(Path.Combine(extra, "etc", "link"), "conf.d/a.conf");
        await Tool.RunCheckedAsync("ln", Path.Combine(extra, "etc", "conf.d", "a.conf"), Path.Combine(extra, "etc", "hard"));
        FileTree.SetXattr(Path.Combine(extra, "etc", "conf.d", "a.conf"), "user.note", "kept"u8);
        FileTree.SetXattr(Path.Combine(extra, "etc", "conf.d", "a.conf"), "trusted.note", "dropped"u8);
        string layout = temp.Combine("layout");
        OciTestImage.Result image = await OciTestImage.WriteBusyboxAsync(layout, "v1", [extra], keepOwnersAndTimes: true);
        await Tool.RunCheckedAsync("chmod", "-R", "a+rX", layout);

        string ours = MakeRootFor(temp, "ours");
        string[] blobs = [.. image.LayerDigests.Select(d => Path.Combine(layout, "blobs", "sha256", d["sha256:".Length..]))];
        ToolResult applied = await RunHelperAsync(ours, blobs);
        Assert.That(applied.ExitCode, Is.EqualTo(0), applied.StandardError);
        Assert.That(applied.StandardOutput.Split('\n').Where(l => l.StartsWith("diffid ", StringComparison.Ordinal)).Select(l => l["diffid ".Length..]), Is.EqualTo(image.DiffIds));

        string umociParent = MakeRootFor(temp, "umoci");
        string theirs = Path.Combine(umociParent, "rootfs");
        ToolResult umoci = await Tool.RunAsync("setpriv", ["--reuid", "65534", "--regid", "65534", "--clear-groups", "--", "umoci", "raw", "unpack", "--rootless", "--image", layout + ":v1", theirs]);
        Assert.That(umoci.ExitCode, Is.EqualTo(0), umoci.StandardError);

        static bool Compared(string name) => name.StartsWith("user.", StringComparison.Ordinal) || name.StartsWith("trusted.", StringComparison.Ordinal);
        List<string> differences = FileTree.Differences(FileTree.Capture(ours, xattrFilter: Compared), FileTree.Capture(theirs, xattrFilter: Compared), "ours", "umoci");
        string[] expected =
        [
            $"only umoci: dev/loop0: file mode=644 uid={Nobody} gid={Nobody} size=0 sha256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 xattrs=[]",
            $"only umoci: dev/null: file mode=644 uid={Nobody} gid={Nobody} size=0 sha256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 xattrs=[]",
        ];
        Assert.That(differences, Is.EquivalentTo(expected), string.Join('\n', differences));
        Assert.That(applied.StandardOutput, Does.Contain("note ./dev/null: character device 1:3 skipped"));
        Assert.That(applied.StandardOutput, Does.Contain("note ./etc/conf.d/a.conf: xattr trusted.note not set"));
    }

    /// <summary>
    /// With <c>--record-owners</c> (<see cref="Containers.Diff.LayerApplyOptions.RecordUnmappedOwners"/>) owners the
    /// namespace cannot map are recorded in <c>user.rootlesscontainers</c> instead of failing: the tree, owners and
    /// xattr bytes equal Debian umoci 0.4.7 <c>raw unpack --rootless</c> run as uid 65534 on the same image; and the
    /// differ with <c>RootlessOwners</c>, run in the namespace, reports the layer's owners again without the xattr.
    /// </summary>
    [Test]
    public async Task UnmappedOwnersAreRecordedAsUmociRootlessRecordsThemAndTheDifferReadsThemBack()
    {
        await RequireUserNamespacesAsync();
        if (!File.Exists("/usr/bin/umoci"))
        {
            Assert.Ignore("umoci is not installed");
        }

        using var temp = new TempDirectory("snap-rootless-owners-");
        AllowNobody(temp.Path);
        string extra = temp.Combine("extra");
        Directory.CreateDirectory(Path.Combine(extra, "home", "user", "cache"));
        Directory.CreateDirectory(Path.Combine(extra, "srv"));
        await File.WriteAllTextAsync(Path.Combine(extra, "home", "user", "notes"), "mine\n");
        await File.WriteAllTextAsync(Path.Combine(extra, "srv", "group-only"), "g\n");
        await File.WriteAllTextAsync(Path.Combine(extra, "srv", "user-only"), "u\n");
        await File.WriteAllTextAsync(Path.Combine(extra, "srv", "big-ids"), "b\n");
        await File.WriteAllTextAsync(Path.Combine(extra, "srv", "root"), "r\n");
        File.CreateSymbolicLink(Path.Combine(extra, "home", "user", "link"), "notes");
        await Tool.RunCheckedAsync("mkfifo", Path.Combine(extra, "home", "user", "fifo"));
        await Tool.RunCheckedAsync("ln", Path.Combine(extra, "home", "user", "notes"), Path.Combine(extra, "srv", "hard"));
        FileTree.SetXattr(Path.Combine(extra, "home", "user", "notes"), "user.note", "kept"u8);
        File.SetUnixFileMode(Path.Combine(extra, "home", "user", "notes"), (UnixFileMode)0x1a0);
        (string Path, string Owner)[] owners =
        [
            ("home", "0:0"), ("home/user", "1000:1000"), ("home/user/cache", "1000:100"), ("home/user/notes", "1000:1000"),
            ("home/user/link", "1000:1000"), ("home/user/fifo", "1001:1002"), ("srv/group-only", "0:50"),
            ("srv/user-only", "33:0"), ("srv/big-ids", "2000000000:200000"),
        ];
        foreach ((string path, string owner) in owners)
        {
            await Tool.RunCheckedAsync("chown", "-h", owner, Path.Combine(extra, path));
        }

        string layout = temp.Combine("layout");
        OciTestImage.Result image = await OciTestImage.WriteBusyboxAsync(layout, "v1", [extra], keepOwnersAndTimes: true);
        await Tool.RunCheckedAsync("chmod", "-R", "a+rX", layout);
        string[] blobs = [.. image.LayerDigests.Select(d => Path.Combine(layout, "blobs", "sha256", d["sha256:".Length..]))];

        string ours = MakeRootFor(temp, "ours");
        ToolResult applied = await UserNamespaceHelper.RunHelperAsync(["apply", "--record-owners", ours, .. blobs]);
        Assert.That(applied.ExitCode, Is.EqualTo(0), applied.StandardOutput + applied.StandardError);
        Assert.That(applied.StandardOutput, Does.Contain("note ./home/user/link: owner 1000:1000 not recorded: a symlink cannot hold user.rootlesscontainers"));
        Assert.That(applied.StandardOutput, Does.Contain("note ./home/user/fifo: owner 1001:1002 not recorded: a special file cannot hold user.rootlesscontainers"));

        string theirs = Path.Combine(MakeRootFor(temp, "umoci"), "rootfs");
        ToolResult umoci = await Tool.RunAsync("setpriv", ["--reuid", "65534", "--regid", "65534", "--clear-groups", "--", "umoci", "raw", "unpack", "--rootless", "--image", layout + ":v1", theirs]);
        Assert.That(umoci.ExitCode, Is.EqualTo(0), umoci.StandardError);

        static bool Compared(string name) => name.StartsWith("user.", StringComparison.Ordinal);
        List<string> ourTree = FileTree.Capture(ours, xattrFilter: Compared);
        List<string> differences = FileTree.Differences(ourTree, FileTree.Capture(theirs, xattrFilter: Compared), "ours", "umoci");
        Assert.That(differences, Is.Empty, string.Join('\n', differences));

        // The bytes, spelled out: Resource{uid, gid} with 2^32-1 for an owner part that is root (umoci's rule too).
        string notes = Path.Combine(ours, "home", "user", "notes");
        Assert.That(Convert.ToHexString(FileTree.GetXattr(notes, "user.rootlesscontainers")), Is.EqualTo("08E80710E807"));
        Assert.That(Convert.ToHexString(FileTree.GetXattr(Path.Combine(ours, "srv", "group-only"), "user.rootlesscontainers")), Is.EqualTo("08FFFFFFFF0F1032"));
        Assert.That(() => FileTree.GetXattr(Path.Combine(ours, "srv", "root"), "user.rootlesscontainers"), Throws.Exception, "root-owned entries get no xattr");
        Assert.That(ourTree.Where(l => !l.Contains($"uid={Nobody} gid={Nobody}", StringComparison.Ordinal)), Is.Empty, "everything is owned by the namespace's root");

        // Read back inside the namespace: the layer's owners, and no user.rootlesscontainers in the layer.
        string output = MakeRootFor(temp, "diff");
        ToolResult diffed = await UserNamespaceHelper.RunHelperAsync("diff", "--rootless-owners", ours, Path.Combine(output, "layer.tar"));
        Assert.That(diffed.ExitCode, Is.EqualTo(0), diffed.StandardOutput + diffed.StandardError);
        var found = new Dictionary<string, string>();
        await using (FileStream tar = File.OpenRead(Path.Combine(output, "layer.tar")))
        using (var reader = new TarReader(tar))
        {
            while (reader.GetNextEntry() is { } entry)
            {
                found[entry.Name.TrimEnd('/')] = $"{entry.Uid}:{entry.Gid}";
                if (entry is PaxTarEntry pax)
                {
                    Assert.That(pax.ExtendedAttributes.Keys, Has.None.Contains("rootlesscontainers"), entry.Name);
                }
            }
        }

        foreach ((string path, string owner) in owners.Where(o => o.Path is not ("home/user/link" or "home/user/fifo")))
        {
            Assert.That(found[path], Is.EqualTo(owner), path);
        }

        Assert.That(found["srv/root"], Is.EqualTo("0:0"));
        Assert.That(found["srv/hard"], Is.EqualTo("1000:1000"), "a hard link shares its target's recorded owner");
        Assert.That(found["home/user/link"], Is.EqualTo("0:0"), "a symlink's unmapped owner is lost, as with umoci");
    }

    private static Task<ToolResult> RunHelperAsync(string root, params string[] layers) =>
        UserNamespaceHelper.RunHelperAsync(["apply", root, .. layers]);
}
