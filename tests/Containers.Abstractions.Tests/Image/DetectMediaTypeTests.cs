using Containers.Oci.Image;

namespace Containers.Abstractions.Tests.Image;

public sealed class DetectMediaTypeTests
{
    [TestCase("manifest", "oci-image-manifest.json", MediaTypes.ImageManifest)]
    [TestCase("manifest", "docker-schema2-manifest.json", MediaTypes.DockerManifest)]
    [TestCase("index", "oci-image-index.json", MediaTypes.ImageIndex)]
    [TestCase("index", "docker-manifest-list.json", MediaTypes.DockerManifestList)]
    [TestCase("index", "oci-image-layout-index.json", MediaTypes.ImageIndex)]
    public void Example_documents_are_recognised(string kind, string file, string expected) =>
        Assert.That(ImageSpecJson.DetectMediaType(ImageTestData.Read(kind, file)), Is.EqualTo(expected));

    [TestCase("""{"schemaVersion": 2, "config": {}, "layers": []}""", MediaTypes.ImageManifest, TestName = "OCI manifest without mediaType")]
    [TestCase("""{"schemaVersion": 2, "manifests": []}""", MediaTypes.ImageIndex, TestName = "OCI index without mediaType")]
    [TestCase("""{"schemaVersion": 1, "name": "x", "tag": "latest", "fsLayers": []}""", MediaTypes.DockerManifestSchema1Signed, TestName = "schema 1")]
    [TestCase("""{"mediaType": "application/vnd.oci.image.index.v1+json", "config": {}}""", MediaTypes.ImageIndex, TestName = "mediaType wins")]
    [TestCase("""{"nested": {"mediaType": "application/vnd.oci.image.index.v1+json", "manifests": []}}""", null, TestName = "nested keys are not read")]
    [TestCase("""{"architecture": "amd64", "os": "linux"}""", null, TestName = "config")]
    [TestCase("""[1, 2]""", null, TestName = "array")]
    [TestCase("""not json""", null, TestName = "malformed")]
    [TestCase("""{"manifests": [""", MediaTypes.ImageIndex, TestName = "truncated after the key")]
    [TestCase("", null, TestName = "empty")]
    public void Documents_are_recognised(string json, string? expected) =>
        Assert.That(ImageSpecJson.DetectMediaType(System.Text.Encoding.UTF8.GetBytes(json)), Is.EqualTo(expected));

    [Test]
    public void Empty_descriptor_is_the_spec_one()
    {
        Descriptor empty = Descriptor.CreateEmpty();

        Assert.That(empty.MediaType, Is.EqualTo(MediaTypes.Empty));
        Assert.That(empty.Digest.ToString(), Is.EqualTo(MediaTypes.EmptyJsonDigest));
        Assert.That(empty.Size, Is.EqualTo(2));
        Assert.That(empty.Data, Is.Null);
    }

    [Test]
    public void Descriptor_from_content_validates_with_embedded_data()
    {
        Descriptor descriptor = Descriptor.FromContent("text/plain", "hello"u8, embed: true);

        Assert.DoesNotThrow(() => ImageSpecValidator.ValidateDescriptor(descriptor));
        Assert.That(descriptor.Size, Is.EqualTo(5));
        Assert.That(descriptor.Digest.Matches(descriptor.Data), Is.True);
    }
}
