using System.Text;
using Containers.Oci;
using Containers.Oci.Image;
using Containers.Oci.Runtime;

namespace Containers.Abstractions.Tests.Json;

/// <summary>Every parse error names the field and says what was expected, whatever the type's shape.</summary>
public sealed class OciJsonErrorTests
{
    private const string EmptyDigest = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";

    [Test]
    public void Wrong_type_in_a_type_with_required_members_names_field_and_types()
    {
        InvalidSpecException error = Assert.Throws<InvalidSpecException>(() =>
            ImageSpecJson.ParseConfig(Encoding.UTF8.GetBytes("""{"architecture":"amd64","os":123,"rootfs":{"type":"layers","diff_ids":[]}}""")))!;

        Assert.That(error.JsonPath, Is.EqualTo("os"));
        Assert.That(error.Problem, Is.EqualTo("expected string, got number"));
    }

    [Test]
    public void Wrong_type_for_an_integer_field_says_integer()
    {
        InvalidSpecException error = Assert.Throws<InvalidSpecException>(() =>
            OciJson.Deserialize(Encoding.UTF8.GetBytes("""{"ociVersion":"1.2.0","linux":{"resources":{"memory":{"limit":"abc"}}}}"""), RuntimeSpecJsonContext.Default.Spec))!;

        Assert.That(error.JsonPath, Is.EqualTo("linux.resources.memory.limit"));
        Assert.That(error.Problem, Is.EqualTo("expected integer"));
    }

    [Test]
    public void Bad_base64_says_base64()
    {
        InvalidSpecException error = Assert.Throws<InvalidSpecException>(() =>
            ImageSpecJson.ParseDescriptor(Encoding.UTF8.GetBytes($$"""{"mediaType":"a/b","digest":"{{EmptyDigest}}","size":2,"data":"%%%"}""")))!;

        Assert.That(error.JsonPath, Is.EqualTo("data"));
        Assert.That(error.Problem, Is.EqualTo("expected base64 string"));
    }

    [Test]
    public void Syntax_errors_give_line_and_byte()
    {
        InvalidSpecException error = Assert.Throws<InvalidSpecException>(() =>
            ImageSpecJson.ParseDescriptor(Encoding.UTF8.GetBytes("{\n\"mediaType\":\"a/b\", oops}")))!;

        Assert.That(error.Problem, Does.StartWith("malformed JSON at line 2, byte "));
        Assert.That(error.Problem, Does.Contain("invalid start of a property name"));
    }

    [Test]
    public void Missing_required_field_is_named()
    {
        InvalidSpecException error = Assert.Throws<InvalidSpecException>(() =>
            ImageSpecJson.ParseDescriptor(Encoding.UTF8.GetBytes("""{"mediaType":"a/b","size":2}""")))!;

        Assert.That(error.JsonPath, Is.EqualTo("digest"));
        Assert.That(error.Problem, Is.EqualTo("required field is missing"));
    }
}
