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

    [TestCase("net.ipv4.ip_forward", ContainerNamespaces.Network, "net/ipv4/ip_forward")]
    [TestCase("kernel.shmmax", ContainerNamespaces.Ipc, "kernel/shmmax")]
    [TestCase("fs.mqueue.msg_max", ContainerNamespaces.Ipc, "fs/mqueue/msg_max")]
    [TestCase("kernel.domainname", ContainerNamespaces.Uts, "kernel/domainname")]
    public void Sysctl_ScopedByTheContainersNamespace_MapsToProcSys(string key, ContainerNamespaces namespaces, string expected)
        => Assert.That(ChildProgramBuilder.SysctlPath(key, namespaces), Is.EqualTo(expected));

    [TestCase("net.ipv4.ip_forward", ContainerNamespaces.Ipc)]
    [TestCase("kernel.shmmax", ContainerNamespaces.Network)]
    [TestCase("vm.overcommit_memory", ContainerNamespaces.Network | ContainerNamespaces.Ipc | ContainerNamespaces.Uts)]
    [TestCase("net..x", ContainerNamespaces.Network)]
    [TestCase("net/../../x", ContainerNamespaces.Network)]
    public void Sysctl_ThatWouldChangeTheHost_IsRefused(string key, ContainerNamespaces namespaces)
        => Assert.Throws<InvalidSpecException>(() => ChildProgramBuilder.SysctlPath(key, namespaces));

    [TestCase("/")]
    [TestCase("/..")]
    [TestCase("/a/..")]
    public void TheRootItself_IsRefused(string destination)
        => Assert.Throws<InvalidSpecException>(() => ChildProgramBuilder.RelativeTarget(destination, "m"));
}
