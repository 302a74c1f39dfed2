using Containers.Images;
using Containers.Snapshots;
using Containers.Testing;
using Containers.Unpack;

namespace Containers.Lifecycle.Tests.Unpack;

/// <summary>
/// Oracle: the rich test image (whiteouts, opaque directory, hard links, symlinks, fifo and devices, special
/// modes, owners, user and capability xattrs) unpacked by <see cref="Unpacker"/> into overlayfs (a mounted
/// view) and native, and by Debian's <c>umoci unpack</c>, must give the same tree byte for byte: names,
/// types, modes, owners, sizes and content hashes, link targets, hard link groups, xattrs, device numbers
/// and mtimes.
/// </summary>
[NonParallelizable]
public sealed class UmociOracleTests
{
    private const string Umoci = "/usr/bin/umoci";

    [Test]
    public async Task UnpackedTreesEqualUmociUnpack()
    {
        TestHost.RequireRoot("mounts, device nodes and owners");
        TestHost.RequireTool(Umoci, "umoci");
        await using UnpackFixture fixture = new();
        string layout = fixture.Temp.Combine("layout");
        await RichTestImage.WriteAsync(layout, "rich");

        string bundle = fixture.Temp.Combine("bundle");
        ToolResult umoci = await Tool.RunAsync(Umoci, ["unpack", "--image", layout + ":rich", bundle]);
        Assert.That(umoci.ExitCode, Is.Zero, umoci.StandardError);
        List<string> expected = FileTree.Capture(Path.Combine(bundle, "rootfs"), withTimes: true);

        Image image = await fixture.ImportAsync(layout);
        foreach (string name in new[] { "overlayfs", "native" })
        {
            ISnapshotter snapshotter = fixture.Snapshotter(name);
            UnpackResult result = await new Unpacker(fixture.Content, snapshotter, name).UnpackAsync(image);
            string root = await fixture.MountViewAsync(snapshotter, result.TopChainId.ToString(), name);
            List<string> actual = FileTree.Capture(root, withTimes: true);
            Assert.That(FileTree.Differences(expected, actual, "umoci", name), Is.Empty, name);
        }
    }
}
