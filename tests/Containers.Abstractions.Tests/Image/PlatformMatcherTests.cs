using Containers.Oci.Image;

namespace Containers.Abstractions.Tests.Image;

/// <summary>Matching and ordering with containerd's Only / OnlyStrict semantics, and picking from an index.</summary>
public sealed class PlatformMatcherTests
{
    [TestCase("linux/amd64", "linux/amd64", true)]
    [TestCase("linux/amd64", "linux/x86_64", true)]
    [TestCase("linux/amd64", "LINUX/AMD64", true)]
    [TestCase("linux/amd64", "linux/386", true)]
    [TestCase("linux/amd64", "linux/i386", true)]
    [TestCase("linux/amd64", "linux/amd64/v2", false)]
    [TestCase("linux/amd64", "linux/arm64", false)]
    [TestCase("linux/amd64", "windows/amd64", false)]
    [TestCase("linux/amd64/v3", "linux/amd64/v3", true)]
    [TestCase("linux/amd64/v3", "linux/amd64/v2", true)]
    [TestCase("linux/amd64/v3", "linux/amd64/v1", true)]
    [TestCase("linux/amd64/v3", "linux/amd64", true)]
    [TestCase("linux/amd64/v3", "linux/amd64/v4", false)]
    [TestCase("linux/amd64/v3", "linux/386", true)]
    [TestCase("linux/arm64", "linux/arm64", true)]
    [TestCase("linux/arm64", "linux/aarch64", true)]
    [TestCase("linux/arm64", "linux/arm64/v8", true)]
    [TestCase("linux/arm64", "linux/arm/v8", true)]
    [TestCase("linux/arm64", "linux/arm/v7", true)]
    [TestCase("linux/arm64", "linux/arm", true)]
    [TestCase("linux/arm64", "linux/armhf", true)]
    [TestCase("linux/arm64", "linux/arm/v6", true)]
    [TestCase("linux/arm64", "linux/armel", true)]
    [TestCase("linux/arm64", "linux/arm/v5", true)]
    [TestCase("linux/arm64", "linux/arm64/v8.1", false)]
    [TestCase("linux/arm64", "linux/amd64", false)]
    [TestCase("linux/arm64/v8", "linux/arm64", true)]
    [TestCase("linux/aarch64", "linux/arm/v7", true)]
    [TestCase("linux/arm64/v8.2", "linux/arm64/v8.2", true)]
    [TestCase("linux/arm64/v8.2", "linux/arm64/v8.1", true)]
    [TestCase("linux/arm64/v8.2", "linux/arm64", true)]
    [TestCase("linux/arm64/v8.2", "linux/arm64/v8.3", false)]
    [TestCase("linux/arm64/v8.2", "linux/arm/v7", true)]
    [TestCase("linux/arm64/v9", "linux/arm64/v9", true)]
    [TestCase("linux/arm64/v9", "linux/arm64/v8.5", true)]
    [TestCase("linux/arm64/v9", "linux/arm64/v8.4", true)]
    [TestCase("linux/arm64/v9", "linux/arm64/v8.6", false)]
    [TestCase("linux/arm64/v9", "linux/arm64/v9.1", false)]
    [TestCase("linux/arm64/v9", "linux/arm64", true)]
    [TestCase("linux/arm64/v9", "linux/arm64/v9.0", true)]
    [TestCase("linux/arm64/v9", "linux/arm/v8", true)]
    [TestCase("linux/arm64/v9", "linux/arm/v4", false)]
    [TestCase("linux/arm64/v8.1", "linux/arm/v9", false)]
    [TestCase("linux/arm64/v8.1", "linux/arm64/v9", false)]
    [TestCase("linux/arm64/v8.1", "linux/arm/v8", true)]
    [TestCase("linux/arm64", "linux/arm/v9", false)]
    [TestCase("linux/arm64", "linux/arm64/v9", false)]
    [TestCase("linux/arm64", "linux/arm/v4", false)]
    [TestCase("linux/arm64/v9", "linux/arm/v7", true)]
    [TestCase("linux/arm64/v9.2", "linux/arm64/v9.1", true)]
    [TestCase("linux/arm64/v9.2", "linux/arm64/v8.7", true)]
    [TestCase("linux/arm64/v9.2", "linux/arm64/v8.8", false)]
    [TestCase("linux/arm/v8", "linux/arm/v7", true)]
    [TestCase("linux/arm/v8", "linux/arm", true)]
    [TestCase("linux/arm/v8", "linux/arm/v4", false)]
    [TestCase("linux/arm/v4", "linux/arm/v4", true)]
    [TestCase("linux/arm/v4", "linux/arm/v5", false)]
    [TestCase("linux/arm/v4", "linux/arm", false)]
    [TestCase("linux/amd64/v2", "linux/amd64/v1", true)]
    [TestCase("linux/amd64/v2", "linux/amd64/v3", false)]
    [TestCase("windows/amd64", "windows(10.0.17763)/amd64", true)]
    [TestCase("windows/amd64", "windows/arm", false)]
    [TestCase("linux/arm/v8", "linux/arm64", false)]
    [TestCase("linux/arm/v7", "linux/arm/v7", true)]
    [TestCase("linux/arm/v7", "linux/arm", true)]
    [TestCase("linux/arm/v7", "linux/armhf", true)]
    [TestCase("linux/arm/v7", "linux/arm/v6", true)]
    [TestCase("linux/arm/v7", "linux/arm/v5", true)]
    [TestCase("linux/arm/v7", "linux/arm/v8", false)]
    [TestCase("linux/arm/v7", "linux/arm64", false)]
    [TestCase("linux/arm", "linux/arm/v7", true)]
    [TestCase("linux/arm/v6", "linux/arm/v5", true)]
    [TestCase("linux/arm/v6", "linux/arm/v7", false)]
    [TestCase("linux/arm/v5", "linux/arm/v5", true)]
    [TestCase("linux/arm/v5", "linux/arm/v6", false)]
    [TestCase("linux/386", "linux/386", true)]
    [TestCase("linux/386", "linux/amd64", false)]
    [TestCase("linux/ppc64le", "linux/ppc64le", true)]
    [TestCase("linux/ppc64le", "linux/ppc64", false)]
    [TestCase("linux/s390x", "linux/s390x", true)]
    [TestCase("linux/riscv64", "linux/riscv64", true)]
    [TestCase("windows/amd64", "windows/amd64", true)]
    [TestCase("windows/amd64", "linux/amd64", false)]
    public void Only(string wanted, string candidate, bool matches) =>
        Assert.That(PlatformMatcher.Only(Platforms.Parse(wanted)).Match(Platforms.Parse(candidate)), Is.EqualTo(matches));

    [TestCase("linux/amd64", "linux/amd64", true)]
    [TestCase("linux/amd64", "linux/x86_64", true)]
    [TestCase("linux/amd64", "linux/386", false)]
    [TestCase("linux/arm64", "linux/arm64/v8", true)]
    [TestCase("linux/arm64", "linux/aarch64", true)]
    [TestCase("linux/arm64", "linux/arm/v7", false)]
    [TestCase("linux/arm64/v8.2", "linux/arm64/v8.1", false)]
    [TestCase("linux/arm/v7", "linux/armhf", true)]
    [TestCase("linux/arm/v7", "linux/arm", true)]
    [TestCase("linux/arm/v7", "linux/arm/v6", false)]
    [TestCase("linux/armel", "linux/arm/v6", true)]
    [TestCase("linux/arm/v8", "linux/arm/v8", true)]
    [TestCase("linux/arm/v8", "linux/arm/v7", false)]
    [TestCase("linux/arm64/v9", "linux/arm64/v9.0", true)]
    [TestCase("linux/arm64/v9", "linux/arm64/v8", false)]
    [TestCase("linux/arm64/v8.1", "linux/arm64/v8.1", true)]
    [TestCase("linux/arm64/v8.1", "linux/arm64/v8", false)]
    [TestCase("windows(10.0.17763)/amd64", "windows/amd64", true)]
    [TestCase("windows(10.0.17763)/amd64", "windows(10.0.17763)/amd64", true)]
    [TestCase("linux/386", "linux/amd64", false)]
    public void OnlyStrict(string wanted, string candidate, bool matches) =>
        Assert.That(PlatformMatcher.OnlyStrict(Platforms.Parse(wanted)).Match(Platforms.Parse(candidate)), Is.EqualTo(matches));

    [Test]
    public void Only_lists_what_it_accepts_in_preference_order()
    {
        Assert.That(PlatformMatcher.Only("linux/arm64").Accepted.Select(Platforms.Format), Is.EqualTo(new[] { "linux/arm64", "linux/arm/v8", "linux/arm/v7", "linux/arm/v6", "linux/arm/v5" }));
        Assert.That(PlatformMatcher.Only("linux/amd64/v3").Accepted.Select(Platforms.Format), Is.EqualTo(new[] { "linux/amd64/v3", "linux/amd64/v2", "linux/amd64", "linux/386" }));
        Assert.That(
            PlatformMatcher.Only("linux/arm64/v9.1").Accepted.Select(Platforms.Format),
            Is.EqualTo(new[] { "linux/arm64/v9.1", "linux/arm64/v9", "linux/arm64/v8.6", "linux/arm64/v8.5", "linux/arm64/v8.4", "linux/arm64/v8.3", "linux/arm64/v8.2", "linux/arm64/v8.1", "linux/arm64", "linux/arm/v8", "linux/arm/v7", "linux/arm/v6", "linux/arm/v5" }));
    }

    [TestCase("10.0.17763", "", true, TestName = "image without version runs anywhere")]
    [TestCase("10.0.17763", "10.0.17763.1234", true, TestName = "same build, other revision")]
    [TestCase("10.0.17763", "10.0.20348", false, TestName = "older host needs the exact build")]
    [TestCase("10.0.17763", "10.0.14393", false, TestName = "older host, older image")]
    [TestCase("10.0.26100", "10.0.20348", true, TestName = "newer host runs the ltsc2022 image")]
    [TestCase("10.0.26100", "10.0.26100.1", true, TestName = "newer host runs its own build")]
    [TestCase("10.0.26100", "10.0.17763", false, TestName = "newer host does not run pre-ltsc2022 images")]
    [TestCase("10.0.26100", "10.0.26200", false, TestName = "image newer than host")]
    [TestCase("10.0.26100", "6.3.9600", false, TestName = "other major version")]
    public void Windows_os_version(string host, string image, bool matches)
    {
        PlatformMatcher matcher = PlatformMatcher.Only(new Platform { OS = "windows", Architecture = "amd64", OSVersion = host });

        Assert.That(matcher.Match(new Platform { OS = "windows", Architecture = "amd64", OSVersion = image }), Is.EqualTo(matches));
    }

    [Test]
    public void Os_features_of_the_image_must_be_offered()
    {
        PlatformMatcher withWin32k = PlatformMatcher.Only(Platforms.Parse("windows(+win32k)/amd64"));
        PlatformMatcher without = PlatformMatcher.Only(Platforms.Parse("windows/amd64"));

        Assert.That(withWin32k.Match(Platforms.Parse("windows/amd64")), Is.True);
        Assert.That(withWin32k.Match(Platforms.Parse("windows(+win32k)/amd64")), Is.True);
        Assert.That(withWin32k.Match(Platforms.Parse("windows(+other)/amd64")), Is.False);
        Assert.That(without.Match(Platforms.Parse("windows(+win32k)/amd64")), Is.False);
    }

    [TestCase("linux/arm64", "linux/arm64", "linux/arm/v7", true)]
    [TestCase("linux/arm64", "linux/arm/v7", "linux/arm64", false)]
    [TestCase("linux/arm64", "linux/arm/v7", "linux/arm/v6", true)]
    [TestCase("linux/arm64", "linux/arm/v6", "linux/s390x", true)]
    [TestCase("linux/arm64", "linux/s390x", "linux/ppc64le", false)]
    [TestCase("linux/arm64", "linux/arm64", "linux/aarch64", false)]
    [TestCase("linux/amd64", "linux/amd64", "linux/386", true)]
    [TestCase("linux/amd64", "linux/386", "linux/amd64", false)]
    public void Less(string wanted, string left, string right, bool less) =>
        Assert.That(PlatformMatcher.Only(wanted).Less(Platforms.Parse(left), Platforms.Parse(right)), Is.EqualTo(less));

    [Test]
    public void Ordered_prefers_the_order_given()
    {
        PlatformMatcher matcher = PlatformMatcher.Ordered(Platforms.Parse("linux/arm/v6"), Platforms.Parse("linux/arm/v7"));

        Assert.That(matcher.Less(Platforms.Parse("linux/arm/v6"), Platforms.Parse("linux/arm/v7")), Is.True);
        Assert.That(matcher.Match(Platforms.Parse("linux/arm/v5")), Is.False);
    }

    [Test]
    public void Default_matches_the_host() =>
        Assert.That(PlatformMatcher.Default.Match(Platforms.Host), Is.True);

    [TestCase("linux/amd64", "amd64")]
    [TestCase("linux/x86_64", "amd64")]
    [TestCase("linux/arm64", "arm64")]
    [TestCase("linux/arm64/v8.2", "arm64")]
    [TestCase("linux/arm/v7", "arm/v7")]
    [TestCase("linux/arm/v8", "arm/v7")]
    [TestCase("linux/arm/v6", "arm/v6")]
    [TestCase("linux/ppc64le", "ppc64le")]
    [TestCase("windows/amd64", "windows")]
    [TestCase("linux/arm/v5", null)]
    [TestCase("linux/s390x", null)]
    [TestCase("linux/riscv64", null)]
    public void SelectBest_from_an_index(string wanted, string? expected)
    {
        Descriptor? best = PlatformMatcher.Only(wanted).SelectBest(MultiPlatformIndex());

        Assert.That(best?.Annotations?["name"], Is.EqualTo(expected));
    }

    [Test]
    public void SelectBest_falls_back_along_the_preference_order()
    {
        Descriptor[] index = [Entry("linux/amd64", "amd64"), Entry("linux/arm/v6", "arm/v6"), Entry("linux/arm/v7", "arm/v7")];

        Assert.That(PlatformMatcher.Only("linux/arm64").SelectBest(index)?.Annotations?["name"], Is.EqualTo("arm/v7"));
        Assert.That(PlatformMatcher.Only("linux/amd64").SelectBest([Entry("linux/arm64", "arm64"), Entry("linux/386", "386")])?.Annotations?["name"], Is.EqualTo("386"));
    }

    [Test]
    public void SelectBest_keeps_index_order_among_equals()
    {
        Descriptor[] index = [Entry("linux/s390x", "s390x"), Entry("linux/amd64", "first"), Entry("linux/x86_64", "second")];

        Assert.That(PlatformMatcher.Only("linux/amd64").SelectBest(index)?.Annotations?["name"], Is.EqualTo("first"));
    }

    [Test]
    public void Manifest_without_platform_is_the_last_resort()
    {
        Descriptor anyPlatform = Entry(null, "no platform");
        Descriptor notAManifest = Entry(null, "xml");
        notAManifest.MediaType = "application/xml";

        Assert.That(PlatformMatcher.Only("linux/amd64").SelectBest([Entry("linux/s390x", "s390x"), notAManifest, anyPlatform])?.Annotations?["name"], Is.EqualTo("no platform"));
        Assert.That(PlatformMatcher.Only("linux/amd64").SelectBest([anyPlatform, Entry("linux/amd64", "amd64")])?.Annotations?["name"], Is.EqualTo("amd64"));
        Assert.That(PlatformMatcher.Only("linux/amd64").SelectBest([notAManifest]), Is.Null);
    }

    [Test]
    public void Filter_orders_every_match_best_first()
    {
        IReadOnlyList<Descriptor> matches = PlatformMatcher.Only("linux/arm64").Filter(MultiPlatformIndex());

        Assert.That(matches.Select(d => d.Annotations!["name"]), Is.EqualTo(new[] { "arm64", "arm/v7", "arm/v6" }));
    }

    [Test]
    public void SelectBest_on_the_docker_manifest_list_example()
    {
        ImageIndex list = ImageSpecJson.ParseIndex(ImageTestData.Read("index", "docker-manifest-list.json"));

        Assert.That(PlatformMatcher.Only("linux/amd64").SelectBest(list.Manifests)?.Digest.ToString(), Is.EqualTo("sha256:5b0bcabd1ed22e9fb1310cf6c2dec7cdef19f0ad69efa1f392e94a4333501270"));
        Assert.That(PlatformMatcher.Only("linux/ppc64le").SelectBest(list.Manifests)?.Size, Is.EqualTo(7143));
        Assert.That(PlatformMatcher.Only("linux/arm64").SelectBest(list.Manifests), Is.Null);
    }

    [Test]
    public void Matcher_describes_itself() =>
        Assert.That(PlatformMatcher.Only("linux/arm/v6").ToString(), Is.EqualTo("linux/arm/v6, linux/arm/v5"));

    // Shaped like a multi-platform index on Docker Hub, with a BuildKit attestation manifest.
    private static Descriptor[] MultiPlatformIndex() =>
    [
        Entry("linux/ppc64le", "ppc64le"),
        Entry("linux/arm/v6", "arm/v6"),
        Entry("linux/arm/v7", "arm/v7"),
        Entry("linux/amd64", "amd64"),
        Entry("linux/arm64/v8", "arm64"),
        Entry("windows/amd64", "windows"),
        Entry("unknown/unknown", "attestation"),
    ];

    private static Descriptor Entry(string? platform, string name) => new()
    {
        MediaType = MediaTypes.ImageManifest,
        Digest = Digest.Compute(System.Text.Encoding.UTF8.GetBytes(name)),
        Size = name.Length,
        Platform = platform is null ? null : Platforms.Parse(platform),
        Annotations = new Dictionary<string, string> { ["name"] = name },
    };
}
