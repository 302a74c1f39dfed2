using System.Text.Json;
using System.Text.Json.Serialization;
using Containers.Oci;

namespace Containers.Abstractions.Tests.Digests;

public sealed partial class DigestJsonConverterTests
{
    private const string Good = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    [Test]
    public void Digest_round_trips_as_a_string()
    {
        Holder holder = OciJson.Deserialize(System.Text.Encoding.UTF8.GetBytes($$"""{"digest": "{{Good}}", "list": ["{{Good}}"]}"""), HolderContext.Default.Holder);

        Assert.That(holder.Digest.ToString(), Is.EqualTo(Good));
        Assert.That(System.Text.Encoding.UTF8.GetString(OciJson.SerializeToUtf8Bytes(holder, HolderContext.Default.Holder)), Is.EqualTo($$"""{"digest":"{{Good}}","list":["{{Good}}"]}"""));
    }

    [TestCase("""{"digest": "sha256:abc"}""", "digest", TestName = "short hex")]
    [TestCase("""{"digest": "md5:d41d8cd98f00b204e9800998ecf8427e"}""", "digest", TestName = "unknown algorithm")]
    [TestCase("""{"digest": "sha256:../../etc/passwd"}""", "digest", TestName = "path traversal")]
    [TestCase("""{"digest": ""}""", "digest", TestName = "empty string")]
    [TestCase("""{"digest": 5}""", "digest", TestName = "number")]
    [TestCase("""{"digest": null}""", "digest", TestName = "null")]
    [TestCase("""{"digest": {}}""", "digest", TestName = "object")]
    [TestCase("""{"digest": "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "list": ["sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "SHA256:x"]}""", "list[1]", TestName = "second list entry")]
    [TestCase("""{"digest": "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "nested": {"digest": "sha256: e3b0"}}""", "nested.digest", TestName = "nested with whitespace")]
    public void Bad_digest_names_the_path(string json, string expectedPath)
    {
        InvalidSpecException error = Assert.Throws<InvalidSpecException>(() => OciJson.Deserialize(System.Text.Encoding.UTF8.GetBytes(json), HolderContext.Default.Holder))!;

        Assert.That(error.JsonPath, Is.EqualTo(expectedPath), error.Message);
    }

    [Test]
    public void Converter_error_says_why()
    {
        InvalidSpecException error = Assert.Throws<InvalidSpecException>(() => OciJson.Deserialize("""{"digest": "sha384:00"}"""u8, HolderContext.Default.Holder))!;

        Assert.That(error.Problem, Does.Contain("unsupported algorithm"));
    }

    public sealed class Holder
    {
        [JsonPropertyName("digest")]
        public Digest Digest { get; set; }

        [JsonPropertyName("list")]
        public IList<Digest>? List { get; set; }

        [JsonPropertyName("nested")]
        public Holder? Nested { get; set; }
    }

    [JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
    [JsonSerializable(typeof(Holder))]
    internal sealed partial class HolderContext : JsonSerializerContext;
}
