using System.Text;
using Containers.Oci.Image;

namespace Containers.Abstractions.Tests.Image;

/// <summary>Serialising reproduces the bytes Go tools write, so digests of documents built here agree with theirs.</summary>
public sealed class GoCompatibleOutputTests
{
    [TestCase("layout", "umoci-oci-layout.json")]
    [TestCase("index", "umoci-index.json")]
    [TestCase("manifest", "umoci-manifest.json")]
    [TestCase("config", "umoci-config.json")]
    public void Documents_written_by_umoci_come_back_byte_for_byte(string kind, string file)
    {
        byte[] original = ImageTestData.Read(kind, file);

        byte[] written = kind switch
        {
            "layout" => ImageSpecJson.Serialize(ImageSpecJson.ParseLayout(original)),
            "index" => ImageSpecJson.Serialize(ImageSpecJson.ParseIndex(original)),
            "manifest" => ImageSpecJson.Serialize(ImageSpecJson.ParseManifest(original)),
            _ => ImageSpecJson.Serialize(ImageSpecJson.ParseConfig(original)),
        };

        // umoci writes with Go's json.Encoder, which ends each document with a newline; json.Marshal
        // (containerd, BuildKit) does not. Everything before it must be identical.
        Assert.That(original[^1], Is.EqualTo((byte)'\n'));
        Assert.That(Encoding.UTF8.GetString(written), Is.EqualTo(Encoding.UTF8.GetString(original[..^1])));
        Assert.That(Digest.Compute([.. written, (byte)'\n']), Is.EqualTo(Digest.Compute(original)));
    }

    [Test]
    public void Umoci_manifest_digest_is_the_one_its_index_names()
    {
        ImageIndex index = ImageSpecJson.ParseIndex(ImageTestData.Read("index", "umoci-index.json"));
        Manifest manifest = ImageSpecJson.ParseManifest(ImageTestData.Read("manifest", "umoci-manifest.json"));

        byte[] written = [.. ImageSpecJson.Serialize(manifest), (byte)'\n'];

        Assert.That(Digest.Compute(written), Is.EqualTo(index.Manifests[0].Digest));
        Assert.That(written.LongLength, Is.EqualTo(index.Manifests[0].Size));
    }

    [Test]
    public void Skopeo_docker_manifest_names_the_same_blobs_as_the_umoci_one()
    {
        Manifest oci = ImageSpecJson.ParseManifest(ImageTestData.Read("manifest", "umoci-manifest.json"));
        Manifest docker = ImageSpecJson.ParseManifest(ImageTestData.Read("manifest", "skopeo-docker-schema2-manifest.json"));

        Assert.That(docker.MediaType, Is.EqualTo(MediaTypes.DockerManifest));
        Assert.That(docker.Config.Digest, Is.EqualTo(oci.Config.Digest));
        Assert.That(docker.Layers.Select(l => (l.Digest, l.Size)), Is.EqualTo(oci.Layers.Select(l => (l.Digest, l.Size))));
        Assert.That(MediaTypes.LayerCompression(docker.Layers[0].MediaType), Is.EqualTo(MediaTypes.LayerCompression(oci.Layers[0].MediaType)));
    }

    [TestCase("a+b", "\"a+b\"", TestName = "plus is kept")]
    [TestCase("<a&b>", "\"\\u003ca\\u0026b\\u003e\"", TestName = "HTML characters in lower-case hex")]
    [TestCase("say \"hi\"\\", "\"say \\\"hi\\\"\\\\\"", TestName = "quote and backslash")]
    [TestCase("l1\nl2\r\t", "\"l1\\nl2\\r\\t\"", TestName = "short control escapes")]
    [TestCase("\u0001\u001f", "\"\\u0001\\u001f\"", TestName = "other control characters")]
    [TestCase("\u2028\u2029", "\"\\u2028\\u2029\"", TestName = "line and paragraph separators")]
    [TestCase("héllo wörld ✓ 😀", "\"héllo wörld ✓ 😀\"", TestName = "non-ASCII as UTF-8")]
    [TestCase("it's 'quoted' `x`", "\"it's 'quoted' `x`\"", TestName = "apostrophe and backtick kept")]
    public void Strings_are_escaped_as_Go_escapes_them(string value, string expectedJson)
    {
        byte[] json = ImageSpecJson.Serialize(new ImageLayout { ImageLayoutVersion = value });

        Assert.That(Encoding.UTF8.GetString(json), Is.EqualTo("{\"imageLayoutVersion\":" + expectedJson + "}"));
    }

    [Test]
    public void Built_manifest_has_readable_media_types()
    {
        Manifest manifest = new()
        {
            SchemaVersion = 2,
            MediaType = MediaTypes.ImageManifest,
            Config = Descriptor.CreateEmpty(),
            Layers = [Descriptor.FromContent(MediaTypes.ImageLayerGzip, "layer"u8)],
        };

        string json = Encoding.UTF8.GetString(ImageSpecJson.Serialize(manifest));

        Assert.That(json, Does.StartWith("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":\"application/vnd.oci.empty.v1+json\","));
        Assert.That(ImageSpecJson.ParseManifest(Encoding.UTF8.GetBytes(json)).Layers[0].Size, Is.EqualTo(5));
    }
}
