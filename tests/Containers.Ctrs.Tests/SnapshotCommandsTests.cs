using Containers.Oci.Image;
using Containers.Testing;

namespace Containers.Ctrs.Tests;

/// <summary>
/// <c>ctrs images unpack|mount|unmount</c> and <c>ctrs snapshots …</c> as a process, on real overlayfs and
/// native snapshotters, with a busybox image (plus one layer) imported from an OCI layout tar.
/// </summary>
[NonParallelizable]
public sealed class SnapshotCommandsTests
{
    private const string Reference = "example.test/ctrs/unpack:v1";
    private TempDirectory _dir = null!;
    private OciTestImage.Result _image = null!;
    private string _archive = null!;

    [OneTimeSetUp]
    public async Task BuildImage()
    {
        TestHost.RequireRoot("snapshot mounts");
        _dir = new TempDirectory("ctrs-snap-");
        string extra = _dir.Combine("extra");
        OciTestImage.WriteFile(Path.Combine(extra, "etc/unpacked"), "yes\n");
        string layout = _dir.Combine("layout");
        _image = await OciTestImage.WriteBusyboxAsync(layout, Reference, [extra]);
        _archive = _dir.Combine("image.tar");
        await Tool.RunCheckedAsync("tar", "-cf", _archive, "-C", layout, ".");
    }

    [OneTimeTearDown]
    public void Cleanup() => _dir?.Dispose();

    [Test]
    public async Task UnpackListInspectMountUnmountAndRemove([Values("overlayfs", "native")] string snapshotter)
    {
        using TempDirectory root = new("ctrs-root-");
        (await CtrsAsync(root, "images", "import", _archive)).EnsureSuccess("import");
        IReadOnlyList<Digest> chain = ChainIds.Compute(_image.DiffIds.Select(Digest.Parse));

        ToolResult unpack = await CtrsAsync(root, "images", "unpack", Reference, "--snapshotter", snapshotter);
        Assert.That(unpack.ExitCode, Is.Zero, unpack.StandardError);
        Assert.That(unpack.StandardOutput, Does.Contain($"unpacked into {snapshotter} as {chain[^1]} (2 applied, 0 already present)"));
        ToolResult again = await CtrsAsync(root, "images", "unpack", "--snapshotter", snapshotter, Reference);
        Assert.That(again.StandardOutput, Does.Contain("(0 applied, 2 already present)"), again.StandardError);

        ToolResult ls = await CtrsAsync(root, "snapshots", "--snapshotter", snapshotter, "ls");
        Assert.That(ls.ExitCode, Is.Zero, ls.StandardError);
        string[] rows = ls.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(rows[0], Does.StartWith("KEY"));
        Assert.That(rows.Skip(1).Select(r => r.Split(' ', StringSplitOptions.RemoveEmptyEntries)),
            Is.EquivalentTo(new[] { new[] { chain[0].ToString(), "Committed" }, new[] { chain[1].ToString(), chain[0].ToString(), "Committed" } }));

        ToolResult info = await CtrsAsync(root, "snapshots", "--snapshotter", snapshotter, "info", chain[1].ToString());
        Assert.That(info.StandardOutput, Does.Contain("\"Kind\": \"Committed\"").And.Contain($"\"Parent\": \"{chain[0]}\""), info.StandardError);

        ToolResult usage = await CtrsAsync(root, "snapshots", "--snapshotter", snapshotter, "usage", chain[0].ToString());
        string[] usageRow = usage.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)[1].Split('\t');
        Assert.That(usageRow[0], Is.EqualTo(chain[0].ToString()), usage.StandardError);
        Assert.That(long.Parse(usageRow[1], System.Globalization.CultureInfo.InvariantCulture), Is.GreaterThanOrEqualTo(new FileInfo(BusyboxRootfs.BusyboxPath).Length));

        string target = _dir.Combine("mnt-" + snapshotter);
        Directory.CreateDirectory(target);
        ToolResult mount = await CtrsAsync(root, "images", "mount", "--snapshotter", snapshotter, Reference, target);
        try
        {
            Assert.That(mount.ExitCode, Is.Zero, mount.StandardError);
            Assert.That(File.ReadAllText(Path.Combine(target, "etc/unpacked")), Is.EqualTo("yes\n"));
            Assert.That(File.ReadAllBytes(Path.Combine(target, "bin/busybox")), Is.EqualTo(File.ReadAllBytes(BusyboxRootfs.BusyboxPath)));
            Assert.That(() => File.WriteAllText(Path.Combine(target, "etc/new"), "x"), Throws.InstanceOf<IOException>(), "the view is read-only");
            ToolResult views = await CtrsAsync(root, "snapshots", "--snapshotter", snapshotter, "ls");
            Assert.That(views.StandardOutput, Does.Contain("ctrs-mount-").And.Contain(" View"));
            string viewKey = "ctrs-mount-" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(target)));
            ToolResult mounts = await CtrsAsync(root, "snapshots", "--snapshotter", snapshotter, "mounts", "/mnt/x", viewKey);
            Assert.That(mounts.StandardOutput, Does.StartWith(snapshotter == "overlayfs" ? "mount -t overlay overlay /mnt/x -o " : "mount -t bind ").And.Contain("ro"), mounts.StandardError);
            ToolResult twice = await CtrsAsync(root, "images", "mount", "--snapshotter", snapshotter, Reference, target);
            Assert.That(twice.ExitCode, Is.EqualTo(1), twice.StandardError);
            Assert.That(twice.StandardError, Does.Contain("AlreadyExists"));
        }
        finally
        {
            ToolResult unmount = await CtrsAsync(root, "images", "unmount", target);
            Assert.That(unmount.ExitCode, Is.Zero, unmount.StandardError);
        }

        Assert.That(Directory.EnumerateFileSystemEntries(target), Is.Empty, "unmounted");
        Assert.That((await CtrsAsync(root, "snapshots", "--snapshotter", snapshotter, "ls")).StandardOutput, Does.Not.Contain("ctrs-mount-"));

        Assert.That((await CtrsAsync(root, "snapshots", "--snapshotter", snapshotter, "rm", chain[1].ToString())).ExitCode, Is.Zero);
        ToolResult missing = await CtrsAsync(root, "snapshots", "--snapshotter", snapshotter, "info", chain[1].ToString());
        Assert.That(missing.ExitCode, Is.EqualTo(1), missing.StandardError);
            Assert.That(missing.StandardError, Does.Contain("NotFoundException"));
    }

    [Test]
    public async Task UnpackingAnUnknownImageIsATypedError()
    {
        using TempDirectory root = new("ctrs-root-");
        ToolResult result = await CtrsAsync(root, "images", "unpack", "example.test/nothing:here");
        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(result.StandardError, Does.StartWith("ctrs: NotFoundException"));
        ToolResult bad = await CtrsAsync(root, "snapshots", "--snapshotter", "zfs", "ls");
        Assert.That(bad.ExitCode, Is.EqualTo(1), bad.StandardError);
            Assert.That(bad.StandardError, Does.Contain("--snapshotter"));
    }

    private static Task<ToolResult> CtrsAsync(TempDirectory root, params string[] args) => CtrsProcess.RunAsync(root, args);
}
