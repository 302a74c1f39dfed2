using Containers.Oci.Image;

namespace Containers.Abstractions.Tests.Image;

public sealed class MediaTypesTests
{
    [TestCase(MediaTypes.ImageLayer, Compression.None)]
    [TestCase(MediaTypes.ImageLayerGzip, Compression.Gzip)]
    [TestCase(MediaTypes.ImageLayerZstd, Compression.Zstd)]
    [TestCase(MediaTypes.ImageLayerNonDistributable, Compression.None)]
    [TestCase(MediaTypes.ImageLayerNonDistributableGzip, Compression.Gzip)]
    [TestCase(MediaTypes.ImageLayerNonDistributableZstd, Compression.Zstd)]
    [TestCase(MediaTypes.DockerLayer, Compression.None)]
    [TestCase(MediaTypes.DockerLayerGzip, Compression.Gzip)]
    [TestCase(MediaTypes.DockerLayerZstd, Compression.Zstd)]
    [TestCase(MediaTypes.DockerForeignLayerGzip, Compression.Gzip)]
    public void Layer_compression_is_read_from_the_media_type(string mediaType, Compression expected)
    {
        Assert.That(MediaTypes.IsLayer(mediaType), Is.True);
        Assert.That(MediaTypes.LayerCompression(mediaType), Is.EqualTo(expected));
        Assert.That(MediaTypes.IsManifest(mediaType) || MediaTypes.IsIndex(mediaType) || MediaTypes.IsConfig(mediaType), Is.False);
    }

    [TestCase(MediaTypes.ImageManifest)]
    [TestCase(MediaTypes.ImageConfig)]
    [TestCase(MediaTypes.Empty)]
    [TestCase("application/vnd.oci.image.layer.v1.tar+encrypted")]
    [TestCase("application/vnd.oci.image.layer.v1.tar+gzip+encrypted")]
    [TestCase("application/vnd.oci.image.layer.v1.tar+GZIP")]
    [TestCase("")]
    public void Non_layers_have_no_compression(string mediaType)
    {
        Assert.That(MediaTypes.IsLayer(mediaType), Is.False);
        Assert.That(MediaTypes.TryGetLayerCompression(mediaType, out _), Is.False);
        Assert.Throws<UnsupportedException>(() => MediaTypes.LayerCompression(mediaType));
    }

    [Test]
    public void Encrypted_oci_layer_is_an_unknown_layer()
    {
        Assert.That(MediaTypes.IsUnknownOciLayer("application/vnd.oci.image.layer.v1.tar+encrypted"), Is.True);
        Assert.That(MediaTypes.IsUnknownOciLayer(MediaTypes.ImageLayerGzip), Is.False);
        Assert.That(MediaTypes.IsUnknownOciLayer(MediaTypes.ImageConfig), Is.False);
    }

    [TestCase(MediaTypes.ImageManifest, true, false, false)]
    [TestCase(MediaTypes.DockerManifest, true, false, true)]
    [TestCase(MediaTypes.ImageIndex, false, true, false)]
    [TestCase(MediaTypes.DockerManifestList, false, true, true)]
    [TestCase(MediaTypes.DockerManifestSchema1Signed, false, false, true)]
    [TestCase(MediaTypes.ImageConfig, false, false, false)]
    [TestCase(null, false, false, false)]
    public void Documents_are_classified(string? mediaType, bool manifest, bool index, bool docker)
    {
        Assert.That(MediaTypes.IsManifest(mediaType), Is.EqualTo(manifest));
        Assert.That(MediaTypes.IsIndex(mediaType), Is.EqualTo(index));
        Assert.That(MediaTypes.IsDocker(mediaType), Is.EqualTo(docker));
    }

    [TestCase(MediaTypes.ImageConfig)]
    [TestCase(MediaTypes.DockerImageConfig)]
    public void Configs_are_classified(string mediaType) => Assert.That(MediaTypes.IsConfig(mediaType), Is.True);

    [Test]
    public void Empty_descriptor_constants_agree()
    {
        Digest digest = Digest.Compute(System.Text.Encoding.UTF8.GetBytes(MediaTypes.EmptyJsonContent));

        Assert.That(digest.ToString(), Is.EqualTo(MediaTypes.EmptyJsonDigest));
    }

    [Test]
    public void Every_constant_is_a_valid_media_type()
    {
        string[] all =
        [
            MediaTypes.Descriptor, MediaTypes.LayoutHeader, MediaTypes.ImageManifest, MediaTypes.ImageIndex, MediaTypes.ImageConfig,
            MediaTypes.ImageLayer, MediaTypes.ImageLayerGzip, MediaTypes.ImageLayerZstd, MediaTypes.ImageLayerNonDistributable,
            MediaTypes.ImageLayerNonDistributableGzip, MediaTypes.ImageLayerNonDistributableZstd, MediaTypes.Empty,
            MediaTypes.DockerManifest, MediaTypes.DockerManifestList, MediaTypes.DockerManifestSchema1Signed, MediaTypes.DockerImageConfig,
            MediaTypes.DockerLayer, MediaTypes.DockerLayerGzip, MediaTypes.DockerLayerZstd, MediaTypes.DockerForeignLayerGzip, MediaTypes.DockerPluginConfig,
        ];

        Assert.That(all, Is.All.Matches<string>(ImageSpecValidator.IsValidMediaType));
        Assert.That(all, Is.Unique);
    }
}
