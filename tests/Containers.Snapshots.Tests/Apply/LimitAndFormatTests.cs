using Containers.Diff;

namespace Containers.Snapshots.Tests.Apply;

/// <summary>Entry-count and size bounds, and malformed input, give typed errors.</summary>
[TestFixture]
internal sealed class LimitAndFormatTests : ApplyFixture
{
    [Test]
    public void EntryCountLimit()
    {
        byte[] layer = new TarBuilder().File("1", "x").File("2", "x").File("3", "x").File("4", "x").Build();

        Assert.That(
            () => ApplyAsync(layer, new LayerApplyOptions { MaxEntries = 3 }),
            Throws.TypeOf<SizeLimitExceededException>().With.Property(nameof(SizeLimitExceededException.Limit)).EqualTo(3));
        Assert.That(TreeSnapshot.Exists(InRoot("4")), Is.False);
    }

    [Test]
    public async Task EntryCountAtTheLimitIsAccepted()
    {
        byte[] layer = new TarBuilder().File("1", "x").File("2", "x").File("3", "x").Build();

        LayerApplyResult result = await ApplyAsync(layer, new LayerApplyOptions { MaxEntries = 3 });

        Assert.That(result.Entries, Is.EqualTo(3));
    }

    [Test]
    public void TotalSizeLimit()
    {
        byte[] layer = new TarBuilder().File("big", new byte[64 * 1024]).Build();

        Assert.That(
            () => ApplyAsync(layer, new LayerApplyOptions { MaxTotalBytes = 16 * 1024 }),
            Throws.TypeOf<SizeLimitExceededException>().With.Property(nameof(SizeLimitExceededException.Limit)).EqualTo(16 * 1024));
    }

    [Test]
    public void DecompressionBombStopsAtTheSizeLimit()
    {
        // 256 MiB of zeros compresses to a few hundred KiB; the bound applies to what it inflates to.
        byte[] bomb = CompressionTests.Gzip(new TarBuilder().File("zeros", new byte[256 * 1024 * 1024]).Build());

        Assert.That(
            () => ApplyAsync(bomb, new LayerApplyOptions { MaxTotalBytes = 1024 * 1024 }),
            Throws.TypeOf<SizeLimitExceededException>());
    }

    [Test]
    public void GarbageIsAMalformedArchive()
    {
        byte[] garbage = new byte[1024];
        new Random(7).NextBytes(garbage);
        garbage[0] = (byte)'x';

        Assert.That(
            () => ApplyAsync(garbage),
            Throws.TypeOf<InvalidLayerException>().With.Property(nameof(InvalidLayerException.Reason)).EqualTo(InvalidLayerReason.MalformedArchive));
    }

    [Test]
    public void TruncatedGzipIsAMalformedArchive()
    {
        byte[] gz = CompressionTests.Gzip(new TarBuilder().File("f", new byte[100_000]).Build());

        Assert.That(
            () => ApplyAsync(gz[..(gz.Length / 2)]),
            Throws.TypeOf<InvalidLayerException>().With.Property(nameof(InvalidLayerException.Reason)).EqualTo(InvalidLayerReason.MalformedArchive));
    }

    [Test]
    public void CorruptZstdIsAMalformedArchive()
    {
        byte[] zst = CompressionTests.Zstd(new TarBuilder().File("f", "some content").Build());
        zst[^6] ^= 0xff;

        Assert.That(() => ApplyAsync(zst), Throws.TypeOf<InvalidLayerException>());
    }

    [Test]
    public void HardLinkToMissingTargetIsInvalid()
    {
        Assert.That(
            () => ApplyAsync(new TarBuilder().Link("nowhere", "l").Build()),
            Throws.TypeOf<InvalidLayerException>().With.Property(nameof(InvalidLayerException.Reason)).EqualTo(InvalidLayerReason.InvalidEntry));
    }

    [Test]
    public void FileUnderAFileIsInvalid()
    {
        Assert.That(
            () => ApplyAsync(new TarBuilder().File("f", "x").File("f/g", "y").Build()),
            Throws.TypeOf<InvalidLayerException>());
    }

    [Test]
    public void CancelledBeforeStartAppliesNothing()
    {
        byte[] layer = new TarBuilder().File("f", "x").Build();

        Assert.That(
            () => Applier.ApplyAsync(new MemoryStream(layer), Root, LayerApplyOptions.Default, new CancellationToken(canceled: true)),
            Throws.InstanceOf<OperationCanceledException>());
        Assert.That(TreeSnapshot.Exists(InRoot("f")), Is.False);
    }

    [Test]
    public void MissingRootIsNotFound()
    {
        Assert.That(
            () => Applier.ApplyAsync(new MemoryStream(new TarBuilder().Build()), Path.Combine(Work, "absent"), LayerApplyOptions.Default),
            Throws.TypeOf<NotFoundException>());
    }
}
