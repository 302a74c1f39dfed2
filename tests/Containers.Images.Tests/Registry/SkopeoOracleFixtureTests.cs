using Containers.Testing;

namespace Containers.Images.Tests.Registry;

/// <summary>
/// The ground the registry tests stand on: an image built from busybox-static at test time, pushed
/// by skopeo to the real docker-registry, keeps its manifest digest.
/// </summary>
public sealed class SkopeoOracleFixtureTests
{
    [Test]
    public async Task Busybox_image_pushed_by_skopeo_keeps_its_digest()
    {
        using TempDirectory dir = new();
        await using LocalRegistry registry = await LocalRegistry.StartAsync();
        string extra = dir.Combine("extra");
        OciTestImage.WriteFile(Path.Combine(extra, "etc", "motd"), "hello from layer 2\n");

        OciTestImage.Result image = await OciTestImage.WriteBusyboxAsync(dir.Combine("layout"), "v1", [extra]);
        await OciTestImage.PushWithSkopeoAsync(dir.Combine("layout"), "v1", registry, "test/busybox");
        string digest = await OciTestImage.InspectDigestWithSkopeoAsync(registry, "test/busybox", "v1");

        Assert.That(digest, Is.EqualTo(image.ManifestDigest));
        Assert.That(image.LayerDigests, Has.Count.EqualTo(2));
    }
}
