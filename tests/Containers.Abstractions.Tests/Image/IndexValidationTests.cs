using System.Text;
using Containers.Oci.Image;

namespace Containers.Abstractions.Tests.Image;

/// <summary>Index validation: the cases of image-spec's schema/imageindex_test.go, then mutations.</summary>
public sealed class IndexValidationTests
{
    // schema/imageindex_test.go, "valid image index, with optional fields".
    private const string Valid = """
        {
          "schemaVersion": 2,
          "manifests": [
            {
              "mediaType": "application/vnd.oci.image.manifest.v1+json",
              "size": 7143,
              "digest": "sha256:e692418e4cbaf90ca69d05a66403747baa33ee08806650b51fab815ad7fc331f",
              "platform": {
                "architecture": "ppc64le",
                "os": "linux"
              }
            },
            {
              "mediaType": "application/vnd.oci.image.manifest.v1+json",
              "size": 7682,
              "digest": "sha256:5b0bcabd1ed22e9fb1310cf6c2dec7cdef19f0ad69efa1f392e94a4333501270",
              "platform": {
                "architecture": "amd64",
                "os": "linux",
                "features": [
                  "sse4"
                ]
              }
            }
          ],
          "annotations": {
            "com.example.key1": "value1",
            "com.example.key2": "value2"
          }
        }
        """;

    [Test]
    public void Schema_valid_indexes_pass()
    {
        Assert.That(ImageSpecJson.ParseIndex(Encoding.UTF8.GetBytes(Valid)).Manifests, Has.Count.EqualTo(2));

        // "manifest.platform is optional".
        Assert.That(ImageSpecJson.ParseIndex(JsonEdit.With(Valid, "manifests[0].platform", null)).Manifests[0].Platform, Is.Null);

        // "valid image index, with required fields only".
        Assert.That(ImageSpecJson.ParseIndex(JsonEdit.With(JsonEdit.With(Valid, "annotations", null).AsString(), "manifests[1]", null)).Annotations, Is.Null);

        // "valid image index, with customized media type of referenced manifest".
        Assert.That(ImageSpecJson.ParseIndex(JsonEdit.With(Valid, "manifests[0].mediaType", "\"application/customized.manifest+json\"")).Manifests[0].MediaType, Is.EqualTo("application/customized.manifest+json"));
    }

    [TestCase("manifests[0].mediaType", "\"invalid\"", "manifests[0].mediaType", TestName = "schema: manifest mediaType does not match pattern")]
    [TestCase("manifests[1].size", "\"7682\"", "manifests[1].size", TestName = "schema: manifest size is a string")]
    [TestCase("manifests[1].digest", null, "manifests[1].digest", TestName = "schema: manifest digest missing")]
    [TestCase("manifests[1].mediaType", "\"\"", "manifests[1].mediaType", TestName = "schema: manifest mediaType empty")]
    [TestCase("schemaVersion", "1", "schemaVersion", TestName = "schemaVersion 1")]
    [TestCase("mediaType", "\"application/vnd.oci.image.manifest.v1+json\"", "mediaType", TestName = "mediaType is a manifest's")]
    [TestCase("mediaType", "\"application/vnd.docker.distribution.manifest.v2+json\"", "mediaType", TestName = "mediaType is a Docker manifest's")]
    [TestCase("manifests", null, "manifests", TestName = "manifests missing")]
    [TestCase("manifests", "null", "manifests", TestName = "manifests null")]
    [TestCase("manifests[1].platform.architecture", null, "manifests[1].platform.architecture", TestName = "platform.architecture missing")]
    [TestCase("manifests[1].platform.os", null, "manifests[1].platform.os", TestName = "platform.os missing")]
    [TestCase("manifests[1].platform.os", "\"\"", "manifests[1].platform.os", TestName = "platform.os empty")]
    [TestCase("manifests[0].platform.architecture", "\"\"", "manifests[0].platform.architecture", TestName = "platform.architecture empty")]
    [TestCase("manifests[0].platform['os.features']", "\"win32k\"", "manifests[0].platform['os.features']", TestName = "platform os.features is a string")]
    [TestCase("manifests[1].digest", "\"sha384:5b0bcabd1ed22e9fb1310cf6c2dec7cdef19f0ad69efa1f392e94a4333501270\"", "manifests[1].digest", TestName = "manifest digest sha384")]
    [TestCase("subject", "{\"mediaType\": \"x/y\", \"size\": -5, \"digest\": \"sha256:5b0bcabd1ed22e9fb1310cf6c2dec7cdef19f0ad69efa1f392e94a4333501270\"}", "subject.size", TestName = "subject.size negative")]
    [TestCase("annotations", "{\"\": \"v\"}", "annotations", TestName = "annotations empty key")]
    public void Invalid_index_names_the_field(string path, string? value, string expectedPath)
    {
        byte[] json = JsonEdit.With(Valid, path, value);

        InvalidSpecException error = Assert.Throws<InvalidSpecException>(() => ImageSpecJson.ParseIndex(json))!;

        Assert.That(error.JsonPath, Is.EqualTo(expectedPath), error.Message);
    }

    [Test]
    public void Manifest_given_as_an_index_names_the_media_type()
    {
        byte[] manifest = ImageTestData.Read("manifest", "docker-schema2-manifest.json");

        InvalidSpecException error = Assert.Throws<InvalidSpecException>(() => ImageSpecJson.ParseIndex(manifest))!;

        Assert.That(error.JsonPath, Is.EqualTo("mediaType"));
        Assert.That(error.Problem, Does.Contain("is a manifest's media type, not an index's"));
    }

    [Test]
    public void Oversized_index_is_refused()
    {
        byte[] json = new byte[ImageSpecJson.MaxIndexBytes + 1];

        Assert.Throws<SizeLimitExceededException>(() => ImageSpecJson.ParseIndex(json));
    }
}
