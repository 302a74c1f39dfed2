using Containers.Linux.Cgroups;

namespace Containers.Linux.Tests.Cgroups;

public sealed class CgroupPathTests
{
    [TestCase("/a/b", "/a/b")]
    [TestCase("/a//b/./c/", "/a/b/c")]
    [TestCase("rel/x", "/containers-dotnet/rel/x")]
    [TestCase("", "/containers-dotnet/web")]
    [TestCase(null, "/containers-dotnet/web")]
    public void ResolvesLikeRuncsCgroupfsDriver(string? cgroupsPath, string expected)
        => Assert.That(CgroupPath.Resolve(cgroupsPath, "web"), Is.EqualTo(expected));

    [Test]
    public void CustomParent() => Assert.That(CgroupPath.Resolve("x", "id", "/p/q"), Is.EqualTo("/p/q/x"));

    [TestCase("/a/../../etc")]
    [TestCase("../escape")]
    [TestCase("/..")]
    [TestCase("/")]
    public void RefusesEscapesAndTheRoot(string cgroupsPath)
    {
        InvalidSpecException ex = Assert.Throws<InvalidSpecException>(() => CgroupPath.Resolve(cgroupsPath, "id"))!;
        Assert.That(ex.JsonPath, Is.EqualTo("linux.cgroupsPath"));
    }

    [Test]
    public void RefusesSystemdSlicePaths()
        => Assert.That(() => CgroupPath.Resolve("system.slice:runc:abc", "abc"), Throws.TypeOf<UnsupportedException>().With.Message.Contains("systemd"));

    [Test]
    public void RefusesAContainerIdThatIsNotOneElement()
        => Assert.That(() => CgroupPath.Resolve(null, "../x"), Throws.TypeOf<InvalidSpecException>());

    [Test]
    public void JoinsWithAMountPoint()
        => Assert.That(CgroupPath.Join("/sys/fs/cgroup/memory/", "/a/b"), Is.EqualTo("/sys/fs/cgroup/memory/a/b"));
}
