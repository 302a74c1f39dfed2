using System.Text.Json.Nodes;
using Containers.Oci.Image;

namespace Containers.Abstractions.Tests.Image;

/// <summary>Every example document parses, validates, and serialises back to the same JSON.</summary>
public sealed class RoundTripTests
{
    [TestCaseSource(typeof(ImageTestData), nameof(ImageTestData.Files), new object[] { "manifest" })]
    public void Manifest_round_trips(string file) =>
        AssertRoundTrip(ImageTestData.Read("manifest", file), bytes => ImageSpecJson.Serialize(ImageSpecJson.ParseManifest(bytes)));

    [TestCaseSource(typeof(ImageTestData), nameof(ImageTestData.Files), new object[] { "index" })]
    public void Index_round_trips(string file) =>
        AssertRoundTrip(ImageTestData.Read("index", file), bytes => ImageSpecJson.Serialize(ImageSpecJson.ParseIndex(bytes)));

    [TestCaseSource(typeof(ImageTestData), nameof(ImageTestData.Files), new object[] { "config" })]
    public void Config_round_trips(string file) =>
        AssertRoundTrip(ImageTestData.Read("config", file), bytes => ImageSpecJson.Serialize(ImageSpecJson.ParseConfig(bytes)));

    [TestCaseSource(typeof(ImageTestData), nameof(ImageTestData.Files), new object[] { "descriptor" })]
    public void Descriptor_round_trips(string file) =>
        AssertRoundTrip(ImageTestData.Read("descriptor", file), bytes => ImageSpecJson.Serialize(ImageSpecJson.ParseDescriptor(bytes)));

    [TestCaseSource(typeof(ImageTestData), nameof(ImageTestData.Files), new object[] { "layout" })]
    public void Layout_round_trips(string file) =>
        AssertRoundTrip(ImageTestData.Read("layout", file), bytes => ImageSpecJson.Serialize(ImageSpecJson.ParseLayout(bytes)));

    [Test]
    public void Docker_manifest_and_list_are_told_apart_by_media_type()
    {
        Manifest manifest = ImageSpecJson.ParseManifest(ImageTestData.Read("manifest", "docker-schema2-manifest.json"));
        ImageIndex list = ImageSpecJson.ParseIndex(ImageTestData.Read("index", "docker-manifest-list.json"));

        Assert.That(manifest.MediaType, Is.EqualTo(MediaTypes.DockerManifest));
        Assert.That(MediaTypes.IsManifest(manifest.MediaType), Is.True);
        Assert.That(manifest.Config.MediaType, Is.EqualTo(MediaTypes.DockerImageConfig));
        Assert.That(manifest.Layers.Select(l => MediaTypes.LayerCompression(l.MediaType)), Is.All.EqualTo(Compression.Gzip));
        Assert.That(list.MediaType, Is.EqualTo(MediaTypes.DockerManifestList));
        Assert.That(MediaTypes.IsIndex(list.MediaType), Is.True);
        Assert.That(list.Manifests[1].Platform!.Features, Is.EqualTo(new[] { "sse4" }));
    }

    [Test]
    public void Config_example_is_read_into_the_model()
    {
        ImageConfig config = ImageSpecJson.ParseConfig(ImageTestData.Read("config", "oci-image-config.json"));

        Assert.That(config.Created, Is.EqualTo("2015-10-31T22:22:56.015925234Z"));
        Assert.That(config.Config!.ExposedPorts, Is.EquivalentTo(new[] { "8080/tcp" }));
        Assert.That(config.Config.Volumes, Is.EquivalentTo(new[] { "/var/job-result-data", "/var/log/my-app-logs" }));
        Assert.That(config.RootFs.DiffIds[1], Is.EqualTo(Digest.Parse("sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef")));
        Assert.That(config.History![1].EmptyLayer, Is.True);
        Assert.That(Platforms.Format(config.ToPlatform()), Is.EqualTo("linux/amd64"));
    }

    [Test]
    public void Docker_config_extras_are_kept_as_extension_data()
    {
        ImageConfig config = ImageSpecJson.ParseConfig(ImageTestData.Read("config", "docker-image-config.json"));

        Assert.That(config.Config!.ExtensionData!.Keys, Is.SupersetOf(new[] { "Healthcheck", "Memory", "MemorySwap", "CpuShares", "OnBuild" }));
        Assert.That(config.Config.ExtensionData["Healthcheck"].GetProperty("Retries").GetInt32(), Is.EqualTo(3));
        Assert.That(config.ExtensionData!.Keys, Is.SupersetOf(new[] { "container", "docker_version" }));
        Assert.That(config.Config.StopSignal, Is.EqualTo("SIGTERM"));
        Assert.That(config.Config.ArgsEscaped, Is.True);
    }

    [Test]
    public void Unknown_manifest_fields_survive()
    {
        Manifest manifest = ImageSpecJson.ParseManifest(ImageTestData.Read("manifest", "docker-schema2-foreign-layer.json"));

        Assert.That(manifest.ExtensionData!.Keys, Is.EqualTo(new[] { "x-unknown-extension" }));
        Assert.That(MediaTypes.IsNonDistributable(manifest.Layers[0].MediaType), Is.True);
    }

    [Test]
    public void Embedded_data_is_decoded()
    {
        Descriptor descriptor = ImageSpecJson.ParseDescriptor(ImageTestData.Read("descriptor", "empty-descriptor-with-data.json"));

        Assert.That(descriptor.Data, Is.EqualTo("{}"u8.ToArray()));
        Assert.That(descriptor.Digest.ToString(), Is.EqualTo(MediaTypes.EmptyJsonDigest));
    }

    private static void AssertRoundTrip(byte[] original, Func<byte[], byte[]> roundTrip)
    {
        byte[] once = roundTrip(original);
        byte[] twice = roundTrip(once);

        JsonNode? expected = JsonNode.Parse(original);
        Assert.Multiple(() =>
        {
            Assert.That(JsonNode.DeepEquals(expected, JsonNode.Parse(once)), Is.True, () => "re-serialised:\n" + System.Text.Encoding.UTF8.GetString(once));
            Assert.That(twice, Is.EqualTo(once), "a second round trip must be byte-identical");
        });
    }
}
