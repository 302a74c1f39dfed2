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
        // Each layer decompressed during its own apply, and each next layer decompressed ahead (while the one
        // before it is prepared, applied and committed).
        foreach ((string name, long ahead) in new[] { ("overlayfs", 0L), ("native", 0L), ("overlayfs", 1L << 20), ("native", 1L << 20) })
        {
            string label = ahead == 0 ? name : name + "-ahead";
            ISnapshotter snapshotter = fixture.Snapshotter(name, fixture.Temp.Combine("snapshots", label));
            UnpackResult result = await new Unpacker(fixture.Content, snapshotter, name).UnpackAsync(image, new UnpackOptions { DecompressAheadBytes = ahead });
            Assert.That(result.Applied, Is.EqualTo(3), label);
            string root = await fixture.MountViewAsync(snapshotter, result.TopChainId.ToString(), label);
            List<string> actual = FileTree.Capture(root, withTimes: true);
            Assert.That(FileTree.Differences(expected, actual, "umoci", label), Is.Empty, label);
        }
    }
}
