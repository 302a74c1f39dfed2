using Containers.Oci.Image;

namespace Containers.Abstractions.Tests.Image;

public sealed class ImageLayoutTests
{
    [Test]
    public void Layout_file_is_read()
    {
        ImageLayout layout = ImageSpecJson.ParseLayout("""{"imageLayoutVersion": "1.0.0"}"""u8);

        Assert.That(layout.ImageLayoutVersion, Is.EqualTo(ImageLayout.CurrentVersion));
    }

    [TestCase("""{"imageLayoutVersion": "2.0.0"}""", "imageLayoutVersion")]
    [TestCase("""{"imageLayoutVersion": 1}""", "imageLayoutVersion")]
    [TestCase("""{}""", "imageLayoutVersion")]
    public void Other_layouts_are_refused(string json, string expectedPath)
    {
        InvalidSpecException error = Assert.Throws<InvalidSpecException>(() => ImageSpecJson.ParseLayout(System.Text.Encoding.UTF8.GetBytes(json)))!;

        Assert.That(error.JsonPath, Is.EqualTo(expectedPath));
    }

    [Test]
    public void Layout_file_is_serialised_compactly() =>
        Assert.That(ImageSpecJson.Serialize(new ImageLayout { ImageLayoutVersion = ImageLayout.CurrentVersion }), Is.EqualTo("""{"imageLayoutVersion":"1.0.0"}"""u8.ToArray()));
}
