using Containers.Linux.Seccomp;
using Containers.Testing;
using static Containers.Linux.Tests.Seccomp.Profiles;

namespace Containers.Linux.Tests.Seccomp;

public sealed class SeccompProgramCacheTests
{
    private const string Json = """{ "defaultAction": "SCMP_ACT_ERRNO", "syscalls": [ { "names": ["getpid", "read"], "action": "SCMP_ACT_ALLOW" } ] }""";

    [Test]
    public void Same_profile_and_arch_hit_memory()
    {
        SeccompProgramCache cache = new();
        SeccompProgram first = cache.GetOrCompile(Parse(Json), SeccompArchitecture.X86_64);
        SeccompProgram second = cache.GetOrCompile(Parse(Json), SeccompArchitecture.X86_64);
        SeccompProgram other = cache.GetOrCompile(Parse(Json), SeccompArchitecture.Aarch64);
        Assert.That(second, Is.SameAs(first));
        Assert.That(other, Is.Not.SameAs(first));
        Assert.That((cache.Hits, cache.Misses), Is.EqualTo((1L, 2L)));
    }

    [Test]
    public void Key_depends_on_content_and_architecture()
    {
        string key = SeccompProgramCache.KeyOf(Parse(Json), SeccompArchitecture.X86_64);
        Assert.That(key, Has.Length.EqualTo(64));
        Assert.That(SeccompProgramCache.KeyOf(Parse(Json.Replace("read", "write", StringComparison.Ordinal)), SeccompArchitecture.X86_64), Is.Not.EqualTo(key));
        Assert.That(SeccompProgramCache.KeyOf(Parse(Json), SeccompArchitecture.X86), Is.Not.EqualTo(key));
        Assert.That(SeccompProgramCache.KeyOf(Parse(Json.Replace(" ", "", StringComparison.Ordinal)), SeccompArchitecture.X86_64), Is.EqualTo(key), "whitespace is not content");
    }

    [Test]
    public void Docker_profile_converted_at_test_time_matches_the_committed_oci_file()
    {
        // The benchmark compiles the committed OCI form; it must stay what DockerProfile produces.
        Assert.That(
            SeccompProgramCache.KeyOf(DockerProfile.Load(SeccompTestData.PathOf("docker-default.json")), SeccompArchitecture.X86_64),
            Is.EqualTo(SeccompProgramCache.KeyOf(Parse(File.ReadAllText(SeccompTestData.PathOf("docker-default-amd64.oci.json"))), SeccompArchitecture.X86_64)));
    }

    [Test]
    public void Disk_cache_survives_a_new_cache_and_ignores_a_corrupt_file()
    {
        using TempDirectory dir = new();
        SeccompProgram compiled = new SeccompProgramCache(dir.Path).GetOrCompile(Parse(Json), SeccompArchitecture.X86_64);
        SeccompProgramCache fresh = new(dir.Path);
        SeccompProgram loaded = fresh.GetOrCompile(Parse(Json), SeccompArchitecture.X86_64);
        Assert.That(loaded.ToBytes(), Is.EqualTo(compiled.ToBytes()));
        Assert.That((fresh.Hits, fresh.Misses), Is.EqualTo((1L, 0L)));
        Assert.That(loaded.Flags, Is.EqualTo(compiled.Flags));
        Assert.That(loaded.Architectures, Is.EqualTo(compiled.Architectures));

        string file = Directory.GetFiles(dir.Path, "*.bpf").Single();
        File.WriteAllBytes(file, File.ReadAllBytes(file)[..^3]);
        SeccompProgramCache third = new(dir.Path);
        Assert.That(third.GetOrCompile(Parse(Json), SeccompArchitecture.X86_64).ToBytes(), Is.EqualTo(compiled.ToBytes()));
        Assert.That(third.Misses, Is.EqualTo(1));
    }
}
