using System.Text;
using Containers.Oci.Image;

namespace Containers.Abstractions.Tests.Image;

/// <summary>
/// Manifest validation: the cases of image-spec's schema/manifest_test.go and
/// manifest_backwards_compatibility_test.go, then one-field mutations of a valid manifest, each
/// asserting the exact JSON path of the error.
/// </summary>
public sealed class ManifestValidationTests
{
    // schema/manifest_test.go, "valid manifest with optional fields".
    private const string Valid = """
        {
          "schemaVersion": 2,
          "mediaType": "application/vnd.oci.image.manifest.v1+json",
          "config": {
            "mediaType": "application/vnd.oci.image.config.v1+json",
            "size": 1470,
            "digest": "sha256:c86f7763873b6c0aae22d963bab59b4f5debbed6685761b5951584f6efb0633b"
          },
          "layers": [
            {
              "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
              "size": 675598,
              "digest": "sha256:9d3dd9504c685a304985025df4ed0283e47ac9ffa9bd0326fddf4d59513f0827"
            },
            {
              "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
              "size": 156,
              "digest": "sha256:2b689805fbd00b2db1df73fae47562faac1a626d5f61744bfe29946ecff5d73d"
            },
            {
              "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
              "size": 148,
              "digest": "sha256:c57089565e894899735d458f0fd4bb17a0f1e0df8d72da392b85c9b35ee777cd"
            }
          ],
          "annotations": {
            "key1": "value1",
            "key2": "value2"
          }
        }
        """;

    // schema/manifest_test.go, "valid manifest with only required fields": the above without annotations and with one layer.
    private static readonly string RequiredOnly =
        JsonEdit.With(JsonEdit.With(JsonEdit.With(Valid, "annotations", null).AsString(), "layers[2]", null).AsString(), "layers[1]", null).AsString();

    // schema/manifest_backwards_compatibility_test.go: a Docker schema 2 manifest (busybox).
    private const string DockerBusybox = """
        {
           "schemaVersion": 2,
           "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
           "config": {
              "mediaType": "application/vnd.docker.container.image.v1+json",
              "size": 1459,
              "digest": "sha256:2b8fd9751c4c0f5dd266fcae00707e67a2545ef34f9a29354585f93dac906749"
           },
           "layers": [
              {
                 "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                 "size": 667590,
                 "digest": "sha256:8ddc19f16526912237dd8af81971d5e4dd0587907234be2b83e249518d5b673f"
              }
           ]
        }
        """;

    [Test]
    public void Schema_valid_manifests_pass()
    {
        Assert.That(ImageSpecJson.ParseManifest(Encoding.UTF8.GetBytes(Valid)).Layers, Has.Count.EqualTo(3));
        Assert.That(ImageSpecJson.ParseManifest(Encoding.UTF8.GetBytes(RequiredOnly)).Annotations, Is.Null);
        Assert.That(ImageSpecJson.ParseManifest(Encoding.UTF8.GetBytes(DockerBusybox)).MediaType, Is.EqualTo(MediaTypes.DockerManifest));
    }

    [Test]
    public void Unknown_layer_media_type_is_accepted_as_the_spec_requires_it_to_be_ignored()
    {
        Manifest manifest = ImageSpecJson.ParseManifest(JsonEdit.With(Valid, "layers[0].mediaType", "\"application/vnd.other.layer\""));

        Assert.That(MediaTypes.IsLayer(manifest.Layers[0].MediaType), Is.False);
    }

    // schema/manifest_test.go expects "layers": [] to fail (the schema's minItems 1), but image-spec 1.1
    // says only that layers SHOULD have an entry (image-spec#1058), and metadata-only `FROM scratch`
    // images are published that way, so an empty list is accepted in both formats.
    [Test]
    public void Manifest_may_have_no_layers()
    {
        Assert.That(ImageSpecJson.ParseManifest(JsonEdit.With(DockerBusybox, "layers", "[]")).Layers, Is.Empty);
        Assert.That(ImageSpecJson.ParseManifest(JsonEdit.With(Valid, "layers", "[]")).Layers, Is.Empty);
    }

    // The invalid cases of schema/manifest_test.go, as mutations of its valid manifest.
    [TestCase("mediaType", "\"invalid\"", "mediaType", TestName = "schema: mediaType does not match pattern")]
    [TestCase("config.size", "\"1470\"", "config.size", TestName = "schema: config.size is a string")]
    [TestCase("layers[0].size", "\"675598\"", "layers[0].size", TestName = "schema: layers.size is a string")]
    [TestCase("config.digest", "\"sha256:c86f7763873b6c0aaehhhhhhhhhhhhhhhhmmmmmmmmmmmmmmmm22d9h3bab59b4f\"", "config.digest", TestName = "schema: config.digest is not hex")]
    [TestCase("schemaVersion", "1", "schemaVersion", TestName = "schemaVersion 1")]
    [TestCase("schemaVersion", "3", "schemaVersion", TestName = "schemaVersion 3")]
    [TestCase("schemaVersion", null, "schemaVersion", TestName = "schemaVersion missing")]
    [TestCase("schemaVersion", "\"2\"", "schemaVersion", TestName = "schemaVersion is a string")]
    [TestCase("mediaType", "\"application/vnd.oci.image.index.v1+json\"", "mediaType", TestName = "mediaType is an index's")]
    [TestCase("mediaType", "\"application/vnd.docker.distribution.manifest.list.v2+json\"", "mediaType", TestName = "mediaType is a manifest list's")]
    [TestCase("mediaType", "\"application/vnd.oci.image.config.v1+json\"", "mediaType", TestName = "mediaType is a config's")]
    [TestCase("artifactType", "\"foo/.bar\"", "artifactType", TestName = "artifactType malformed")]
    [TestCase("config", null, "config", TestName = "config missing")]
    [TestCase("config", "null", "config", TestName = "config null")]
    [TestCase("config", "[]", "config", TestName = "config is an array")]
    [TestCase("config.mediaType", null, "config.mediaType", TestName = "config.mediaType missing")]
    [TestCase("config.digest", null, "config.digest", TestName = "config.digest missing")]
    [TestCase("layers", null, "layers", TestName = "layers missing")]
    [TestCase("layers", "{}", "layers", TestName = "layers is an object")]
    [TestCase("layers[1]", "null", "layers[1]", TestName = "layers[1] null")]
    [TestCase("layers[1].digest", "\"sha256:abc\"", "layers[1].digest", TestName = "layers[1].digest too short")]
    [TestCase("layers[1].digest", "\"md5:d41d8cd98f00b204e9800998ecf8427e\"", "layers[1].digest", TestName = "layers[1].digest md5")]
    [TestCase("layers[1].digest", "\"sha256:../../etc/passwd\"", "layers[1].digest", TestName = "layers[1].digest path traversal")]
    [TestCase("layers[1].digest", "42", "layers[1].digest", TestName = "layers[1].digest is a number")]
    [TestCase("layers[2].mediaType", "\"application\"", "layers[2].mediaType", TestName = "layers[2].mediaType without subtype")]
    [TestCase("layers[2].mediaType", "\"\"", "layers[2].mediaType", TestName = "layers[2].mediaType empty")]
    [TestCase("layers[2].mediaType", null, "layers[2].mediaType", TestName = "layers[2].mediaType missing")]
    [TestCase("layers[0].size", "-1", "layers[0].size", TestName = "layers[0].size negative")]
    [TestCase("layers[0].size", "1.5", "layers[0].size", TestName = "layers[0].size fractional")]
    [TestCase("layers[0].size", null, "layers[0].size", TestName = "layers[0].size missing")]
    [TestCase("layers[1].urls", "[\"https://example.com/a\", \"value\"]", "layers[1].urls[1]", TestName = "layers[1].urls[1] not a URI")]
    [TestCase("layers[0].data", "\"e30=\"", "layers[0].data", TestName = "layers[0].data wrong size")]
    [TestCase("layers[0].annotations", "{\"\": \"x\"}", "layers[0].annotations", TestName = "layers[0].annotations empty key")]
    [TestCase("annotations", "{\"\": \"x\"}", "annotations", TestName = "annotations empty key")]
    [TestCase("annotations", "{\"key1\": 1}", "annotations.key1", TestName = "annotations value is a number")]
    [TestCase("subject", "{\"mediaType\": \"application/vnd.oci.image.manifest.v1+json\", \"size\": 1, \"digest\": \"sha512:00\"}", "subject.digest", TestName = "subject.digest malformed")]
    [TestCase("config.platform", "{\"os\": \"linux\"}", "config.platform.architecture", TestName = "config.platform without architecture")]
    public void Invalid_manifest_names_the_field(string path, string? value, string expectedPath)
    {
        byte[] json = JsonEdit.With(Valid, path, value);

        InvalidSpecException error = Assert.Throws<InvalidSpecException>(() => ImageSpecJson.ParseManifest(json))!;

        Assert.That(error.JsonPath, Is.EqualTo(expectedPath), error.Message);
    }

    [Test]
    public void Data_that_does_not_hash_to_the_digest_is_refused()
    {
        // Two bytes, as the size says, but not the bytes the digest names.
        byte[] json = JsonEdit.With(JsonEdit.With(RequiredOnly, "layers[0].size", "2").AsString(), "layers[0].data", "\"W10=\"");

        InvalidSpecException error = Assert.Throws<InvalidSpecException>(() => ImageSpecJson.ParseManifest(json))!;

        Assert.That(error.JsonPath, Is.EqualTo("layers[0].data"));
        Assert.That(error.Problem, Does.Contain("does not hash"));
    }

    [Test]
    public void Malformed_json_is_refused_at_the_document()
    {
        InvalidSpecException error = Assert.Throws<InvalidSpecException>(() => ImageSpecJson.ParseManifest("{\"schemaVersion\": 2,"u8))!;

        Assert.That(error.JsonPath, Is.Empty);
        Assert.That(error.InnerException, Is.InstanceOf<System.Text.Json.JsonException>());
    }

    [Test]
    public void Index_given_as_a_manifest_names_the_media_type()
    {
        byte[] index = ImageTestData.Read("index", "oci-image-index.json");

        InvalidSpecException error = Assert.Throws<InvalidSpecException>(() => ImageSpecJson.ParseManifest(index))!;

        Assert.That(error.JsonPath, Is.EqualTo("mediaType"));
        Assert.That(error.Problem, Does.Contain("is an index's media type, not a manifest's"));
    }

    [Test]
    public void Foreign_media_type_is_named()
    {
        InvalidSpecException error = Assert.Throws<InvalidSpecException>(() => ImageSpecJson.ParseManifest(JsonEdit.With(Valid, "mediaType", "\"application/json\"")))!;

        Assert.That(error.Message, Is.EqualTo("mediaType: \"application/json\" is not a manifest media type; expected \"application/vnd.oci.image.manifest.v1+json\" or \"application/vnd.docker.distribution.manifest.v2+json\""));
    }

    [Test]
    public void Oversized_manifest_is_refused_before_parsing()
    {
        byte[] huge = new byte[ImageSpecJson.MaxManifestBytes + 1];

        SizeLimitExceededException error = Assert.Throws<SizeLimitExceededException>(() => ImageSpecJson.ParseManifest(huge))!;

        Assert.That(error.Limit, Is.EqualTo(ImageSpecJson.MaxManifestBytes));
    }

    [Test]
    public void Caller_bound_applies()
    {
        byte[] json = Encoding.UTF8.GetBytes(Valid);

        Assert.Throws<SizeLimitExceededException>(() => ImageSpecJson.ParseManifest(json, maxBytes: json.Length - 1));
        Assert.That(ImageSpecJson.ParseManifest(json, maxBytes: json.Length).Layers, Has.Count.EqualTo(3));
    }

    [Test]
    public void Oversized_stream_is_refused_while_reading()
    {
        using NonSeekableStream stream = new(new byte[ImageSpecJson.MaxManifestBytes + 10]);

        Assert.ThrowsAsync<SizeLimitExceededException>(() => ImageSpecJson.ReadManifestAsync(stream));
    }

    [Test]
    public async Task Manifest_is_read_from_a_stream()
    {
        using NonSeekableStream stream = new(Encoding.UTF8.GetBytes(Valid));

        Manifest manifest = await ImageSpecJson.ReadManifestAsync(stream);

        Assert.That(manifest.Config.Size, Is.EqualTo(1470));
    }
}
