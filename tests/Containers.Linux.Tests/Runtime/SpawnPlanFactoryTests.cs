using Containers.Linux.Runtime;
using Containers.Oci.Runtime;

namespace Containers.Linux.Tests.Runtime;

public sealed class SpawnPlanFactoryTests
{
    private static Spec Minimal() => new()
    {
        OciVersion = "1.0.2",
        Process = new ProcessSpec { Cwd = "/", Args = ["sh"], Env = ["PATH=/bin"] },
        Root = new Root { Path = "rootfs" },
        Linux = new Oci.Runtime.Linux { Namespaces = [new LinuxNamespace { Type = "mount" }, new LinuxNamespace { Type = "pid" }] },
    };

    [Test]
    public void Minimal_ResolvesTheRootAgainstTheBundle()
    {
        List<string> warnings = [];

        SpawnPlan plan = SpawnPlanFactory.Create(Minimal(), "/bundles/b1", warnings);

        Assert.That(plan.RootfsPath, Is.EqualTo("/bundles/b1/rootfs"));
        Assert.That(plan.Namespaces, Is.EqualTo(ContainerNamespaces.Mount | ContainerNamespaces.Pid));
        Assert.That(plan.Umask, Is.EqualTo(0x12u));
        Assert.That(warnings, Is.Empty);
    }

    [Test]
    public void Capabilities_BecomeKernelBitMasks()
    {
        Spec spec = Minimal();
        spec.Process!.Capabilities = new LinuxCapabilities { Bounding = ["CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_AUDIT_WRITE"], Effective = ["CAP_KILL"] };

        SpawnPlan plan = SpawnPlanFactory.Create(spec, "/b", []);

        Assert.That(plan.CapabilityBounding, Is.EqualTo((1UL << 5) | (1UL << 10) | (1UL << 29)));
        Assert.That(plan.CapabilityEffective, Is.EqualTo(1UL << 5));
        Assert.That(plan.CapabilityInheritable, Is.Zero);
        Assert.That(plan.CapabilityAmbient, Is.Zero);
    }

    [Test]
    public void AmbientWithoutInheritable_IsReportedAndNotRaised()
    {
        Spec spec = Minimal();
        spec.Process!.Capabilities = new LinuxCapabilities { Permitted = ["CAP_KILL"], Ambient = ["CAP_KILL"] };
        List<string> warnings = [];

        SpawnPlan plan = SpawnPlanFactory.Create(spec, "/b", warnings);

        Assert.That(plan.CapabilityAmbient, Is.Zero);
        Assert.That(warnings, Has.One.Contains("ambient"));
    }

    [Test]
    public void Rlimits_MapToKernelNumbers()
    {
        Spec spec = Minimal();
        spec.Process!.Rlimits = [new PosixRlimit { Type = "RLIMIT_NOFILE", Soft = 10, Hard = 20 }, new PosixRlimit { Type = "RLIMIT_CORE", Soft = 0, Hard = 0 }];

        SpawnPlan plan = SpawnPlanFactory.Create(spec, "/b", []);

        Assert.That(plan.ResourceLimits, Is.EqualTo(new[] { new ResourceLimit(7, 10, 20), new ResourceLimit(4, 0, 0) }));
    }

    [Test]
    public void CgroupMountAndResources_AreKeptForTheCgroupWiring()
    {
        Spec spec = Minimal();
        spec.Mounts = [new Mount { Destination = "/sys/fs/cgroup", Type = "cgroup", Source = "cgroup", Options = ["ro"] }];
        spec.Linux!.Resources = new LinuxResources();
        spec.Linux.CgroupsPath = "/a/b";
        List<string> warnings = [];

        SpawnPlan plan = SpawnPlanFactory.Create(spec, "/b", warnings);

        Assert.That(plan.Mounts, Is.EqualTo(new[] { new MountRequest("/sys/fs/cgroup", "cgroup", "cgroup", ["ro"]) }).Using<MountRequest>(SameMount));
        Assert.That(warnings, Is.Empty);
    }

    private static bool SameMount(MountRequest a, MountRequest b)
        => a.Destination == b.Destination && a.Type == b.Type && a.Source == b.Source && a.Options.SequenceEqual(b.Options);

    private static IEnumerable<TestCaseData> Refused()
    {
        yield return new TestCaseData(new Action<Spec>(s => s.Linux!.Namespaces!.Add(new LinuxNamespace { Type = "time", Path = "/proc/1/ns/time" })), "joining an existing time namespace");
    }

    [Test]
    public void JoinedMountNamespace_TakesTheRootAndJoinsNoNewOne()
    {
        Spec spec = Minimal();
        spec.Linux!.Namespaces![0] = new LinuxNamespace { Type = "mount", Path = "/proc/1/ns/mnt" };

        SpawnPlan plan = SpawnPlanFactory.Create(spec, "/b", []);

        Assert.That(plan.Namespaces, Is.EqualTo(ContainerNamespaces.Pid));
        Assert.That(plan.JoinNamespaces, Is.EqualTo(new[] { new NamespaceJoin(ContainerNamespaces.Mount, "/proc/1/ns/mnt", "linux.namespaces[0].path") }));
    }

    [Test]
    public void JoinedNetworkNamespace_NextToANewUserNamespace_IsJoined()
    {
        Spec spec = WithNewUserNamespace(Minimal());
        spec.Linux!.Namespaces!.Add(new LinuxNamespace { Type = "network", Path = "/proc/1/ns/net" });

        SpawnPlan plan = SpawnPlanFactory.Create(spec, "/b", []);

        Assert.That(plan.Namespaces, Is.EqualTo(ContainerNamespaces.Mount | ContainerNamespaces.Pid | ContainerNamespaces.User));
        Assert.That(plan.JoinNamespaces.Select(j => j.Type), Is.EqualTo(new[] { ContainerNamespaces.Network }));
    }

    [Test]
    public void JoinedMountNamespace_NextToANewUserNamespace_IsInvalidByPath()
    {
        Spec spec = WithNewUserNamespace(Minimal());
        spec.Linux!.Namespaces![0] = new LinuxNamespace { Type = "mount", Path = "/proc/1/ns/mnt" };

        InvalidSpecException ex = Assert.Throws<InvalidSpecException>(() => SpawnPlanFactory.Create(spec, "/b", []))!;

        Assert.That(ex.JsonPath, Is.EqualTo("linux.namespaces[0].path"));
    }

    private static Spec WithNewUserNamespace(Spec spec)
    {
        spec.Linux!.Namespaces!.Add(new LinuxNamespace { Type = "user" });
        spec.Linux.UidMappings = [new LinuxIdMapping { ContainerId = 0, HostId = 100000, Size = 65536 }];
        spec.Linux.GidMappings = [new LinuxIdMapping { ContainerId = 0, HostId = 100000, Size = 65536 }];
        return spec;
    }

    [Test]
    public void Terminal_CarriesTheConsoleSize()
    {
        Spec spec = Minimal();
        spec.Process!.Terminal = true;
        spec.Process.ConsoleSize = new ConsoleSize { Height = 40, Width = 132 };

        SpawnPlan plan = SpawnPlanFactory.Create(spec, "/b", []);

        Assert.That((plan.Terminal, plan.ConsoleHeight, plan.ConsoleWidth), Is.EqualTo((true, (ushort)40, (ushort)132)));
    }

    [Test]
    public void ConsoleSizeBeyondATerminal_IsInvalidByName()
    {
        Spec spec = Minimal();
        spec.Process!.Terminal = true;
        spec.Process.ConsoleSize = new ConsoleSize { Height = 40, Width = 70000 };

        InvalidSpecException ex = Assert.Throws<InvalidSpecException>(() => SpawnPlanFactory.Create(spec, "/b", []))!;

        Assert.That(ex.Message, Does.Contain("process.consoleSize.width"));
    }

    [Test]
    public void NamespaceWithPath_IsJoinedNotCreated()
    {
        Spec spec = Minimal();
        spec.Linux!.Namespaces!.Add(new LinuxNamespace { Type = "network", Path = "/proc/1/ns/net" });
        spec.Linux.Namespaces.Add(new LinuxNamespace { Type = "uts" });

        SpawnPlan plan = SpawnPlanFactory.Create(spec, "/b", []);

        Assert.That(plan.Namespaces, Is.EqualTo(ContainerNamespaces.Mount | ContainerNamespaces.Pid | ContainerNamespaces.Uts));
        Assert.That(plan.JoinNamespaces, Is.EqualTo(new[] { new NamespaceJoin(ContainerNamespaces.Network, "/proc/1/ns/net", "linux.namespaces[2].path") }));
    }

    [Test]
    public void RelativeNamespacePath_IsInvalidByName()
    {
        Spec spec = Minimal();
        spec.Linux!.Namespaces!.Add(new LinuxNamespace { Type = "ipc", Path = "proc/1/ns/ipc" });

        InvalidSpecException ex = Assert.Throws<InvalidSpecException>(() => SpawnPlanFactory.Create(spec, "/b", []))!;

        Assert.That(ex.JsonPath, Is.EqualTo("linux.namespaces[2].path"));
    }

    [TestCaseSource(nameof(Refused))]
    public void UnsupportedFields_AreRefusedByName(Action<Spec> change, string field)
    {
        Spec spec = Minimal();
        change(spec);

        UnsupportedException ex = Assert.Throws<UnsupportedException>(() => SpawnPlanFactory.Create(spec, "/b", []))!;

        Assert.That(ex.Message, Does.Contain(field));
    }

    [Test]
    public void UserNamespace_CarriesItsMappings()
    {
        Spec spec = Minimal();
        spec.Linux!.Namespaces!.Add(new LinuxNamespace { Type = "user" });
        spec.Linux.UidMappings = [new LinuxIdMapping { ContainerId = 0, HostId = 100000, Size = 65536 }];
        spec.Linux.GidMappings = [new LinuxIdMapping { ContainerId = 0, HostId = 200000, Size = 10 }];

        SpawnPlan plan = SpawnPlanFactory.Create(spec, "/b", []);

        Assert.That(plan.Namespaces & ContainerNamespaces.User, Is.EqualTo(ContainerNamespaces.User));
        Assert.That(plan.UidMappings, Is.EqualTo(new[] { new IdMapping(0, 100000, 65536) }));
        Assert.That(plan.GidMappings, Is.EqualTo(new[] { new IdMapping(0, 200000, 10) }));
    }

    [Test]
    public void UserNamespaceWithoutMappings_AndMappingsWithoutUserNamespace_AreInvalid()
    {
        Spec withoutMappings = Minimal();
        withoutMappings.Linux!.Namespaces!.Add(new LinuxNamespace { Type = "user" });
        Spec withoutNamespace = Minimal();
        withoutNamespace.Linux!.UidMappings = [new LinuxIdMapping { ContainerId = 0, HostId = 1000, Size = 1 }];
        withoutNamespace.Linux.GidMappings = [new LinuxIdMapping { ContainerId = 0, HostId = 1000, Size = 1 }];

        Assert.Throws<InvalidSpecException>(() => SpawnPlanFactory.Create(withoutMappings, "/b", []));
        Assert.Throws<InvalidSpecException>(() => SpawnPlanFactory.Create(withoutNamespace, "/b", []));
    }

    [Test]
    public void UnknownCapability_IsInvalid()
    {
        Spec spec = Minimal();
        spec.Process!.Capabilities = new LinuxCapabilities { Bounding = ["CAP_FLY"] };

        InvalidSpecException ex = Assert.Throws<InvalidSpecException>(() => SpawnPlanFactory.Create(spec, "/b", []))!;

        Assert.That(ex.JsonPath, Is.EqualTo("process.capabilities.bounding[0]"));
    }
}
