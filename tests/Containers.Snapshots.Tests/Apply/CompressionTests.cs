using System.IO.Compression;
using System.Security.Cryptography;
using Containers.Diff;

namespace Containers.Snapshots.Tests.Apply;

/// <summary>gzip and zstd layers give the same tree and diff id as the plain tar.</summary>
[TestFixture]
internal sealed class CompressionTests : ApplyFixture
{
    [Test]
    public async Task SameTreeAndDiffIdForEveryCompression()
    {
        byte[] plain = new TarBuilder { Uid = 3, Gid = 4 }
            .Dir("bin").File("bin/tool", new byte[300_000], 0x1ed).Symlink("tool", "bin/alias").Dir("etc").File("etc/conf", "k=v")
            .Build();
        string plainDigest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(plain));

        var trees = new List<List<string>>();
        foreach ((LayerCompression kind, byte[] bytes) in new[] { (LayerCompression.None, plain), (LayerCompression.Gzip, Gzip(plain)), (LayerCompression.Zstd, Zstd(plain)) })
        {
            string root = Path.Combine(Work, "tree-" + kind);
            Directory.CreateDirectory(root);
            LayerApplyResult result = await Applier.ApplyAsync(new MemoryStream(bytes), root, LayerApplyOptions.Default);

            Assert.That(result.Compression, Is.EqualTo(kind));
            Assert.That(result.DiffId.ToString(), Is.EqualTo(plainDigest), kind.ToString());
            Assert.That(result.Size, Is.EqualTo(plain.Length));
            Assert.That(result.CompressedDigest?.ToString(), Is.EqualTo(kind == LayerCompression.None ? null : "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes))));
            trees.Add(TreeSnapshot.Capture(root));
        }

        Assert.That(trees[1], Is.EqualTo(trees[0]));
        Assert.That(trees[2], Is.EqualTo(trees[0]));
        Assert.That(trees[0], Has.Count.EqualTo(5));
    }

    [Test]
    public async Task ConcatenatedGzipMembersAreOneLayer()
    {
        byte[] plain = new TarBuilder().File("a", "a").File("b", "b").Build();
        byte[] twoMembers = [.. Gzip(plain[..1024]), .. Gzip(plain[1024..])];

        LayerApplyResult result = await ApplyAsync(twoMembers);

        Assert.That(result.DiffId.ToString(), Is.EqualTo("sha256:" + Convert.ToHexStringLower(SHA256.HashData(plain))));
        Assert.That(File.ReadAllText(InRoot("b")), Is.EqualTo("b"));
    }

    internal static byte[] Gzip(byte[] data)
    {
        var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    internal static byte[] Zstd(byte[] data)
    {
        using var compressor = new ZstdSharp.Compressor(3);
        return compressor.Wrap(data).ToArray();
    }
}
