using Containers.Linux.Runtime;

namespace Containers.Linux.Tests.Runtime;

public sealed class RelativeTargetTests
{
    [TestCase("/proc", "proc")]
    [TestCase("/dev/pts/", "dev/pts")]
    [TestCase("//a/./b//c", "a/b/c")]
    [TestCase("/a/../b", "b")]
    [TestCase("/../../../etc", "etc")]
    [TestCase("/a/b/../../../../c", "c")]
    public void CleansLexically_AndNeverClimbsAboveTheRoot(string destination, string expected)
        => Assert.That(ChildProgramBuilder.RelativeTarget(destination, "mounts[0].destination"), Is.EqualTo(expected));

    [TestCase("relative/path")]
    [TestCase("")]
    public void RelativeDestinations_AreRefused(string destination)
    {
        InvalidSpecException ex = Assert.Throws<InvalidSpecException>(() => ChildProgramBuilder.RelativeTarget(destination, "mounts[3].destination"))!;

        Assert.That(ex.JsonPath, Is.EqualTo("mounts[3].destination"));
    }

    [TestCase("/")]
    [TestCase("/..")]
    [TestCase("/a/..")]
    public void TheRootItself_IsRefused(string destination)
        => Assert.Throws<InvalidSpecException>(() => ChildProgramBuilder.RelativeTarget(destination, "m"));
}
