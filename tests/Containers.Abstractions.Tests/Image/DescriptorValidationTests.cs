using System.Text;
using Containers.Oci.Image;

namespace Containers.Abstractions.Tests.Image;

/// <summary>Descriptor validation: the cases of image-spec's schema/descriptor_test.go.</summary>
public sealed class DescriptorValidationTests
{
    private const string ManifestDigest = "sha256:5b0bcabd1ed22e9fb1310cf6c2dec7cdef19f0ad69efa1f392e94a4333501270";
    private const string ConfigDigest = "sha256:c86f7763873b6c0aae22d963bab59b4f5debbed6685761b5951584f6efb0633b";

    private static readonly string LongestPart = string.Concat(Enumerable.Repeat("1234567890", 12)) + "1234567";

    [TestCase("application/vnd.oci.image.manifest.v1+json", 7682, ManifestDigest, TestName = "schema: valid descriptor")]
    [TestCase("application/octet-stream", 0, "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", TestName = "schema: zero length blob")]
    [TestCase("application/vnd.oci.image.config.v1+json", 1470, "sha512:401b09eab3c013d4ca54922bb802bec8fd5318192b0a75f201d8b3727429080fb337591abd3e44453b954555b7a0812e1081c39b740293f765eae731f5a65ed1", TestName = "sha512 digest")]
    public void Valid_descriptor_passes(string mediaType, long size, string digest)
    {
        Descriptor descriptor = ImageSpecJson.ParseDescriptor(Json(mediaType, size, digest));

        Assert.That(descriptor.Digest.ToString(), Is.EqualTo(digest));
        Assert.That(descriptor.Size, Is.EqualTo(size));
    }

    [Test]
    public void Schema_longest_media_type_passes()
    {
        string mediaType = LongestPart + "/" + LongestPart;

        Assert.That(mediaType, Has.Length.EqualTo(255));
        Assert.That(ImageSpecJson.ParseDescriptor(Json(mediaType, 7682, ManifestDigest)).MediaType, Is.EqualTo(mediaType));
    }

    [TestCase("application", TestName = "schema: mediaType without subtype")]
    [TestCase(".foo/bar", TestName = "schema: invalid first type character")]
    [TestCase("foo/.bar", TestName = "schema: invalid first subtype character")]
    [TestCase("foo/bar baz", TestName = "space in subtype")]
    [TestCase("foo/bar/baz", TestName = "two slashes")]
    [TestCase("", TestName = "empty media type")]
    public void Malformed_media_type_is_refused(string mediaType) =>
        AssertRefused(Json(mediaType, 7682, ManifestDigest), "mediaType");

    [Test]
    public void Schema_type_and_subtype_too_long_are_refused()
    {
        AssertRefused(Json(LongestPart + "1/bar", 7682, ManifestDigest), "mediaType");
        AssertRefused(Json("foo/" + LongestPart + "1", 7682, ManifestDigest), "mediaType");
    }

    [TestCase("""{ "size": 7682, "digest": "__D__" }""", "mediaType", TestName = "schema: mediaType missing")]
    [TestCase("""{ "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "__D__" }""", "size", TestName = "schema: size missing")]
    [TestCase("""{ "mediaType": "application/vnd.oci.image.manifest.v1+json", "size": "7682", "digest": "__D__" }""", "size", TestName = "schema: size is a string")]
    [TestCase("""{ "mediaType": "application/vnd.oci.image.manifest.v1+json", "size": 7682 }""", "digest", TestName = "schema: digest missing")]
    [TestCase("""{ "mediaType": "application/vnd.oci.image.manifest.v1+json", "size": -7682, "digest": "__D__" }""", "size", TestName = "schema: negative size")]
    [TestCase("""{ "mediaType": "application/vnd.oci.image.manifest.v1+json", "size": 7682, "digest": "__D__", "urls": [ "value" ] }""", "urls[0]", TestName = "schema: url is not a URI")]
    [TestCase("""{ "mediaType": "application/vnd.oci.image.manifest.v1+json", "artifactType": "foo/.bar", "size": 7682, "digest": "__D__" }""", "artifactType", TestName = "schema: artifactType malformed")]
    [TestCase("""{ "mediaType": "text/plain", "size": 34, "data": "aHR0cHM6Ly9naXRodWIuY29tL29wZW5jb250YWluZXJzCg", "digest": "sha256:2690af59371e9eca9453dc29882643f46e5ca47ec2862bd517b5e17351325153" }""", "data", TestName = "schema: data base64 without padding")]
    [TestCase("""{ "mediaType": "text/plain", "size": 33, "data": "aHR0cHM6Ly9naXRodWIuY29tL29wZW5jb250YWluZXJzCg==", "digest": "sha256:2690af59371e9eca9453dc29882643f46e5ca47ec2862bd517b5e17351325153" }""", "data", TestName = "data length differs from size")]
    [TestCase("""{ "mediaType": "text/plain", "size": 34, "data": "aHR0cHM6Ly9naXRodWIuY29tL29wZW5jb250YWluZXJzCg==", "digest": "__D__" }""", "data", TestName = "data does not hash to digest")]
    [TestCase("""{ "mediaType": "application/vnd.oci.image.manifest.v1+json", "size": 7682, "digest": "__D__", "platform": { "architecture": "amd64" } }""", "platform.os", TestName = "platform without os")]
    [TestCase("""{ "mediaType": "application/vnd.oci.image.manifest.v1+json", "size": 7682, "digest": "__D__", "annotations": { "": "v" } }""", "annotations", TestName = "annotation with empty key")]
    [TestCase("""[ "not", "an", "object" ]""", "", TestName = "array instead of object")]
    public void Invalid_descriptor_names_the_field(string json, string expectedPath) =>
        AssertRefused(Encoding.UTF8.GetBytes(json.Replace("__D__", ManifestDigest, StringComparison.Ordinal)), expectedPath);

    // The digest cases of schema/descriptor_test.go. The schema's grammar admits algorithms this
    // library deliberately refuses (DESIGN.md §5: an allow-list of sha256 and sha512 only, because a
    // digest is used as a file name and URL segment), so those "expected success" cases are refused here.
    [TestCase(":5b0bcabd1ed22e9fb1310cf6c2dec7cdef19f0ad69efa1f392e94a4333501270", TestName = "schema: digest without algorithm")]
    [TestCase("sha256", TestName = "schema: digest without hash")]
    [TestCase("SHA256:5b0bcabd1ed22e9fb1310cf6c2dec7cdef19f0ad69efa1f392e94a4333501270", TestName = "schema: upper-case algorithm")]
    [TestCase("sha256:5B0BCABD1ED22E9FB1310CF6C2DEC7CDEF19F0AD69EFA1F392E94A4333501270", TestName = "schema: upper-case sha256 hex")]
    [TestCase("sha256+foo+-b:c86f7763873b6c0aae22d963bab59b4f5debbed6685761b5951584f6efb0633b", TestName = "schema: repeated separators")]
    [TestCase("sha256+b64:c86f7763873b6c0aae22d963bab59b4f5debbed6685761b5951584f6efb0633b", TestName = "schema-valid but refused: sha256+b64")]
    [TestCase("sha256+foo-bar:c86f7763873b6c0aae22d963bab59b4f5debbed6685761b5951584f6efb0633b", TestName = "schema-valid but refused: sha256+foo-bar")]
    [TestCase("sha256.foo-bar:c86f7763873b6c0aae22d963bab59b4f5debbed6685761b5951584f6efb0633b", TestName = "schema-valid but refused: sha256.foo-bar")]
    [TestCase("multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8", TestName = "schema-valid but refused: multihash")]
    [TestCase("sha256+b64u:LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564", TestName = "schema-valid but refused: sha256+b64u")]
    public void Digest_outside_the_allow_list_is_refused(string digest) =>
        AssertRefused(Json("application/vnd.oci.image.config.v1+json", 1470, digest), "digest");

    [Test]
    public void Url_list_is_kept()
    {
        Descriptor descriptor = ImageSpecJson.ParseDescriptor(ImageTestData.Read("descriptor", "manifest-descriptor-with-urls.json"));

        Assert.That(descriptor.Urls, Is.EqualTo(new[] { "https://example.com/example-manifest" }));
    }

    [Test]
    public void Descriptor_built_in_code_is_checked_too()
    {
        Descriptor descriptor = new() { MediaType = MediaTypes.ImageConfig, Digest = default, Size = 2 };

        InvalidSpecException error = Assert.Throws<InvalidSpecException>(() => ImageSpecValidator.ValidateDescriptor(descriptor, "config"))!;

        Assert.That(error.JsonPath, Is.EqualTo("config.digest"));
    }

    [Test]
    public void Config_digest_of_the_schema_tests_parses() =>
        Assert.That(ImageSpecJson.ParseDescriptor(Json(MediaTypes.ImageConfig, 1470, ConfigDigest)).Digest.AlgorithmName, Is.EqualTo("sha256"));

    private static byte[] Json(string mediaType, long size, string digest) =>
        Encoding.UTF8.GetBytes($$"""{ "mediaType": "{{mediaType}}", "size": {{size}}, "digest": "{{digest}}" }""");

    private static void AssertRefused(byte[] json, string expectedPath)
    {
        InvalidSpecException error = Assert.Throws<InvalidSpecException>(() => ImageSpecJson.ParseDescriptor(json))!;

        Assert.That(error.JsonPath, Is.EqualTo(expectedPath), error.Message);
    }
}
