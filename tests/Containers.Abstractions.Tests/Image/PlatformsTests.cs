using System.Runtime.InteropServices;
using Containers.Oci.Image;

namespace Containers.Abstractions.Tests.Image;

/// <summary>Parsing, normalising and formatting platforms, as containerd's platforms package does.</summary>
public sealed class PlatformsTests
{
    [TestCase("linux/amd64", "linux/amd64")]
    [TestCase("linux/x86_64", "linux/amd64")]
    [TestCase("linux/x86-64", "linux/amd64")]
    [TestCase("Linux/AMD64", "linux/amd64")]
    [TestCase("linux/amd64/v1", "linux/amd64")]
    [TestCase("linux/amd64/v3", "linux/amd64/v3")]
    [TestCase("linux/arm64", "linux/arm64")]
    [TestCase("linux/aarch64", "linux/arm64")]
    [TestCase("linux/arm64/v8", "linux/arm64/v8")]
    [TestCase("linux/aarch64/v8", "linux/arm64/v8")]
    [TestCase("linux/arm64/8", "linux/arm64/v8")]
    [TestCase("linux/arm64/v8.2", "linux/arm64/v8.2")]
    [TestCase("linux/arm64/v8.0", "linux/arm64/v8")]
    [TestCase("linux/arm64/v9.0", "linux/arm64/v9")]
    [TestCase("linux/arm", "linux/arm")]
    [TestCase("linux/arm/v7", "linux/arm/v7")]
    [TestCase("linux/arm/7", "linux/arm/v7")]
    [TestCase("linux/armhf", "linux/arm")]
    [TestCase("linux/armel", "linux/arm/v6")]
    [TestCase("linux/arm/v6", "linux/arm/v6")]
    [TestCase("linux/arm/6", "linux/arm/v6")]
    [TestCase("linux/arm/v5", "linux/arm/v5")]
    [TestCase("linux/arm/v8", "linux/arm/v8")]
    [TestCase("linux/386", "linux/386")]
    [TestCase("linux/i386", "linux/386")]
    [TestCase("windows/amd64", "windows/amd64")]
    [TestCase("linux/ppc64le", "linux/ppc64le")]
    [TestCase("linux/s390x", "linux/s390x")]
    [TestCase("linux/riscv64", "linux/riscv64")]
    [TestCase("linux/mips64", "linux/mips64")]
    [TestCase("linux/mips64le", "linux/mips64le")]
    [TestCase("linux/loong64", "linux/loong64")]
    [TestCase("darwin/arm64", "darwin/arm64")]
    [TestCase("macos/arm64", "darwin/arm64")]
    [TestCase("freebsd/amd64", "freebsd/amd64")]
    [TestCase("linux/someunknownarch", "linux/someunknownarch")]
    public void Parse_then_format(string specifier, string expected)
    {
        Platform platform = Platforms.Parse(specifier);

        Assert.That(Platforms.Format(platform), Is.EqualTo(expected));
        Assert.That(Platforms.Parse(expected).Architecture, Is.EqualTo(platform.Architecture));
    }

    [TestCase("windows(10.0.17763)/amd64", "windows", "10.0.17763", new string[0], "windows(10.0.17763)/amd64")]
    [TestCase("windows(10.0.17763+win32k+abc)/amd64", "windows", "10.0.17763", new[] { "win32k", "abc" }, "windows(10.0.17763+abc+win32k)/amd64")]
    [TestCase("windows(+win32k)/amd64", "windows", null, new[] { "win32k" }, "windows(+win32k)/amd64")]
    [TestCase("linux(1%2B2)/amd64", "linux", "1+2", new string[0], "linux(1%2B2)/amd64")]
    [TestCase("linux()/amd64", "linux", null, new string[0], "linux/amd64")]
    public void OS_options_are_parsed_and_formatted(string specifier, string os, string? version, string[] features, string formatted)
    {
        Platform platform = Platforms.Parse(specifier);

        Assert.That(platform.OS, Is.EqualTo(os));
        Assert.That(platform.OSVersion, Is.EqualTo(version));
        Assert.That(platform.OSFeatures ?? [], Is.EqualTo(features));
        Assert.That(Platforms.FormatAll(platform), Is.EqualTo(formatted));
        Assert.That(Platforms.Format(platform), Is.EqualTo(os + "/amd64"));
    }

    [TestCase("windows(10.0.17763+win32k)", "windows", "10.0.17763", new[] { "win32k" }, "windows(10.0.17763+win32k)")]
    [TestCase("linux(+gpu+simd)", "linux", null, new[] { "gpu", "simd" }, "linux(+gpu+simd)")]
    [TestCase("linux(+unsorted+erofs)", "linux", null, new[] { "unsorted", "erofs" }, "linux(+erofs+unsorted)")]
    [TestCase("windows(10.0.17763%2Bbuild.42+win32k)", "windows", "10.0.17763+build.42", new[] { "win32k" }, "windows(10.0.17763%2Bbuild.42+win32k)")]
    [TestCase("windows(50%25done)", "windows", "50%done", new string[0], "windows(50%25done)")]
    [TestCase("windows()", "windows", null, new string[0], "windows")]
    public void OS_with_options_alone_takes_the_host_architecture(string specifier, string os, string? version, string[] features, string formattedOS)
    {
        Platform platform = Platforms.Parse(specifier);

        Assert.That((platform.OS, platform.OSVersion, platform.Architecture), Is.EqualTo((os, version, Platforms.Host.Architecture)));
        Assert.That(platform.OSFeatures ?? [], Is.EqualTo(features));
        Assert.That(Platforms.FormatAll(platform), Does.StartWith(formattedOS + "/" + Platforms.Host.Architecture));
        Assert.That(Platforms.FormatAll(Platforms.Parse(Platforms.FormatAll(platform))), Is.EqualTo(Platforms.FormatAll(platform)), "formatting survives a round trip");
    }

    [TestCase("windows", "10.0.17763+build.42", new string[0], "windows(10.0.17763%2Bbuild.42)/amd64")]
    [TestCase("windows", "10.0.17763+build.42", new[] { "win32k" }, "windows(10.0.17763%2Bbuild.42+win32k)/amd64")]
    [TestCase("windows", "50%done", new string[0], "windows(50%25done)/amd64")]
    [TestCase("windows", "1.0(beta)", new string[0], "windows(1.0%28beta%29)/amd64")]
    [TestCase("windows", "a/b", new string[0], "windows(a%2Fb)/amd64")]
    [TestCase("windows", "10.0.17763", new string[0], "windows(10.0.17763)/amd64")]
    [TestCase("linux", null, new[] { "feat+v2" }, "linux(+feat%2Bv2)/amd64")]
    [TestCase("linux", null, new[] { "100%gpu" }, "linux(+100%25gpu)/amd64")]
    [TestCase("windows", "10.0+build", new[] { "feat+1" }, "windows(10.0%2Bbuild+feat%2B1)/amd64")]
    [TestCase("linux", null, new[] { "", "gpu", "", "simd" }, "linux(+gpu+simd)/amd64")]
    public void FormatAll_encodes_os_options(string os, string? version, string[] features, string expected)
    {
        Platform platform = new() { OS = os, OSVersion = version, OSFeatures = features, Architecture = "amd64" };

        string formatted = Platforms.FormatAll(platform);

        Assert.That(formatted, Is.EqualTo(expected));
        Platform reparsed = Platforms.Parse(formatted);
        Assert.That(reparsed.OSVersion, Is.EqualTo(version));
        Assert.That(reparsed.OSFeatures ?? [], Is.EqualTo(features.Where(f => f.Length > 0)));
    }

    [TestCase("linux")]
    [TestCase("LINUX")]
    [TestCase("windows")]
    [TestCase("darwin")]
    public void OS_alone_takes_the_host_architecture(string specifier)
    {
        Platform platform = Platforms.Parse(specifier);

        Assert.That(platform.OS, Is.EqualTo(specifier.ToLowerInvariant()));
        Assert.That(platform.Architecture, Is.EqualTo(Platforms.Host.Architecture));
    }

    [TestCase("amd64", "amd64", null)]
    [TestCase("x86_64", "amd64", null)]
    [TestCase("aarch64", "arm64", null)]
    [TestCase("Aarch64", "arm64", null)]
    [TestCase("s390x", "s390x", null)]
    [TestCase("arm64", "arm64", null)]
    [TestCase("armhf", "arm", null)]
    [TestCase("arm", "arm", null)]
    [TestCase("armel", "arm", "v6")]
    [TestCase("i386", "386", null)]
    [TestCase("ppc64le", "ppc64le", null)]
    public void Architecture_alone_takes_the_host_os(string specifier, string architecture, string? variant)
    {
        Platform platform = Platforms.Parse(specifier);

        Assert.That(platform.OS, Is.EqualTo(Platforms.Host.OS));
        Assert.That(platform.Architecture, Is.EqualTo(architecture));
        Assert.That(platform.Variant, Is.EqualTo(variant));
    }

    [TestCase("", TestName = "empty")]
    [TestCase("linux/*", TestName = "wildcard")]
    [TestCase("*", TestName = "wildcard alone")]
    [TestCase("linux/amd64/v8/extra", TestName = "four components")]
    [TestCase("/amd64", TestName = "empty OS")]
    [TestCase("linux//amd64", TestName = "empty architecture")]
    [TestCase("linux/", TestName = "trailing slash")]
    [TestCase("foo", TestName = "unknown OS or architecture")]
    [TestCase("linux/am d64", TestName = "space")]
    [TestCase("linux/amd64/v1 ", TestName = "trailing space")]
    [TestCase("linux(10%zz)/amd64", TestName = "bad escape")]
    [TestCase("linux(10.0/amd64", TestName = "unclosed OS options")]
    [TestCase("/linux/arm", TestName = "leading slash")]
    [TestCase("linux/arm/", TestName = "trailing slash after architecture")]
    [TestCase("linux /arm", TestName = "space after OS")]
    [TestCase("linux/&arm", TestName = "invalid character")]
    [TestCase("linux/arm/foo/bar", TestName = "too many components")]
    public void Malformed_specifier_is_refused(string specifier)
    {
        Assert.Throws<FormatException>(() => Platforms.Parse(specifier));
        Assert.That(Platforms.TryParse(specifier, out Platform? platform), Is.False);
        Assert.That(platform, Is.Null);
    }

    [TestCase("Linux", "x86_64", null, "linux", "amd64", null)]
    [TestCase("linux", "amd64", "v1", "linux", "amd64", null)]
    [TestCase("linux", "amd64", "v2", "linux", "amd64", "v2")]
    [TestCase("linux", "aarch64", null, "linux", "arm64", null)]
    [TestCase("linux", "arm64", "v8", "linux", "arm64", null)]
    [TestCase("linux", "arm64", "8", "linux", "arm64", null)]
    [TestCase("linux", "ARM64", "V8", "linux", "arm64", null)]
    [TestCase("linux", "arm64", "v8.0", "linux", "arm64", null)]
    [TestCase("linux", "arm64", "v8.2", "linux", "arm64", "v8.2")]
    [TestCase("linux", "arm64", "9", "linux", "arm64", "v9")]
    [TestCase("linux", "arm64", "v9.0", "linux", "arm64", "v9")]
    [TestCase("linux", "arm64", "v9", "linux", "arm64", "v9")]
    [TestCase("linux", "arm", null, "linux", "arm", "v7")]
    [TestCase("linux", "arm", "7", "linux", "arm", "v7")]
    [TestCase("linux", "arm", "6", "linux", "arm", "v6")]
    [TestCase("linux", "arm", "5", "linux", "arm", "v5")]
    [TestCase("linux", "arm", "8", "linux", "arm", "v8")]
    [TestCase("linux", "armhf", null, "linux", "arm", "v7")]
    [TestCase("linux", "armhf", "v6", "linux", "arm", "v7")]
    [TestCase("linux", "armel", null, "linux", "arm", "v6")]
    [TestCase("linux", "i386", null, "linux", "386", null)]
    [TestCase("linux", "i386", "whatever", "linux", "386", null)]
    [TestCase("linux", "386", null, "linux", "386", null)]
    [TestCase("MacOS", "arm64", null, "darwin", "arm64", null)]
    [TestCase("linux", "ppc64le", null, "linux", "ppc64le", null)]
    [TestCase("linux", "s390x", null, "linux", "s390x", null)]
    [TestCase("linux", "riscv64", null, "linux", "riscv64", null)]
    [TestCase("windows", "AMD64", null, "windows", "amd64", null)]
    public void Normalize(string os, string architecture, string? variant, string expectedOS, string expectedArchitecture, string? expectedVariant)
    {
        Platform input = new() { OS = os, Architecture = architecture, Variant = variant };

        Platform normalized = Platforms.Normalize(input);

        Assert.That((normalized.OS, normalized.Architecture, normalized.Variant), Is.EqualTo((expectedOS, expectedArchitecture, expectedVariant)));
        Assert.That(input.OS, Is.EqualTo(os), "the argument is not changed");
        Assert.That(Platforms.Normalize(normalized).Variant, Is.EqualTo(expectedVariant), "normalising is idempotent");
    }

    [Test]
    public void Normalize_sorts_and_deduplicates_os_features()
    {
        Platform platform = new() { OS = "windows", Architecture = "amd64", OSFeatures = ["win32k", "abc", "win32k"] };

        Assert.That(Platforms.Normalize(platform).OSFeatures, Is.EqualTo(new[] { "abc", "win32k" }));
    }

    [Test]
    public void Empty_os_normalises_to_the_host_os() =>
        Assert.That(Platforms.Normalize(new Platform { OS = "", Architecture = "amd64" }).OS, Is.EqualTo(Platforms.Host.OS));

    [Test]
    public void ToString_is_the_full_specifier() =>
        Assert.That(Platforms.Parse("windows(10.0.17763+win32k)/amd64").ToString(), Is.EqualTo("windows(10.0.17763+win32k)/amd64"));

    [Test]
    public void Format_without_os_is_unknown()
    {
        Assert.That(Platforms.Format(new Platform { OS = "", Architecture = "amd64" }), Is.EqualTo("unknown"));
        Assert.That(Platforms.FormatAll(new Platform { OS = "", Architecture = "amd64" }), Is.EqualTo("unknown"));
    }

    [Test]
    public void Host_is_the_running_process_platform()
    {
        Platform host = Platforms.Host;

        Assert.That(host.OS, Is.EqualTo(OperatingSystem.IsLinux() ? "linux" : host.OS));
        Assert.That(Platforms.IsKnownArchitecture(host.Architecture), Is.True);
        Assert.That(Platforms.Format(Platforms.Normalize(host)), Is.EqualTo(Platforms.Format(host)), "the host platform is already normalised");
        if (RuntimeInformation.ProcessArchitecture == Architecture.X64)
        {
            Assert.That(Platforms.Format(host), Is.EqualTo(OperatingSystem.IsLinux() ? "linux/amd64" : host.OS + "/amd64"));
        }
        else if (RuntimeInformation.ProcessArchitecture == Architecture.Arm64)
        {
            Assert.That(host.Architecture, Is.EqualTo("arm64"));
        }
    }

    [Test]
    public void Host_is_a_copy()
    {
        Platform host = Platforms.Host;
        host.Architecture = "changed";

        Assert.That(Platforms.Host.Architecture, Is.Not.EqualTo("changed"));
    }

    [Test]
    public void Image_config_platform_is_its_fields()
    {
        ImageConfig config = ImageSpecJson.ParseConfig(ImageTestData.Read("config", "docker-image-config.json"));

        Assert.That(Platforms.Format(config.ToPlatform()), Is.EqualTo("linux/arm64/v8"));
        Assert.That(PlatformMatcher.OnlyStrict(Platforms.Parse("linux/aarch64")).Match(config.ToPlatform()), Is.True);
    }
}
