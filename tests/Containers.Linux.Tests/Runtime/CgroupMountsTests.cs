using Containers.Linux.Cgroups;
using Containers.Linux.Runtime;

namespace Containers.Linux.Tests.Runtime;

/// <summary>The spec's cgroup mount becomes binds of the container's own cgroup directories (no file system is touched).</summary>
public sealed class CgroupMountsTests
{
    private const string HybridText = """
        31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
        32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct
        35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
        41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
        """;

    private const string UnifiedText = """
        35 24 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate
        """;

    private static SpawnPlan PlanWith(ContainerNamespaces namespaces, params string[] options) => new()
    {
        Args = ["/bin/true"],
        Namespaces = namespaces,
        Mounts = [new MountRequest("/proc", "proc", "proc", []), new MountRequest("/sys/fs/cgroup", "cgroup", "cgroup", options)],
    };

    [Test]
    public void Hybrid_TmpfsWithOneReadOnlyBindPerHierarchy()
    {
        ICgroupManager manager = CgroupManager.Open(CgroupLayout.Parse(HybridText, "0::/\n"), "/containers-dotnet/web");

        SpawnPlan plan = CgroupMounts.Expand(PlanWith(ContainerNamespaces.Mount), manager);

        Assert.That(plan.Mounts.Select(m => $"{m.Kind} {m.Destination} {m.Type} {m.Source} {string.Join(',', m.Options)}"), Is.EqualTo(new[]
        {
            "Mount /proc proc proc ",
            "Mount /sys/fs/cgroup tmpfs tmpfs nosuid,nodev,noexec,mode=755",
            "Mount /sys/fs/cgroup/cpu,cpuacct bind /sys/fs/cgroup/cpu,cpuacct/containers-dotnet/web bind,nosuid,nodev,noexec,ro",
            "Mount /sys/fs/cgroup/memory bind /sys/fs/cgroup/memory/containers-dotnet/web bind,nosuid,nodev,noexec,ro",
            "Mount /sys/fs/cgroup/unified bind /sys/fs/cgroup/unified/containers-dotnet/web bind,nosuid,nodev,noexec,ro",
            "Symlink /sys/fs/cgroup/cpu  cpu,cpuacct ",
            "Symlink /sys/fs/cgroup/cpuacct  cpu,cpuacct ",
            "Remount /sys/fs/cgroup   ro",
        }));
    }

    [Test]
    public void Hybrid_OwnCgroupNamespaceWithoutRo_KeepsTheTmpfsWritable()
    {
        ICgroupManager manager = CgroupManager.Open(CgroupLayout.Parse(HybridText, "0::/\n"), "/c");

        SpawnPlan writable = CgroupMounts.Expand(PlanWith(ContainerNamespaces.Mount | ContainerNamespaces.Cgroup, "rw"), manager);
        SpawnPlan readOnly = CgroupMounts.Expand(PlanWith(ContainerNamespaces.Mount | ContainerNamespaces.Cgroup, "ro"), manager);

        Assert.Multiple(() =>
        {
            Assert.That(writable.Mounts.Select(m => m.Kind), Does.Not.Contain(MountRequestKind.Remount));
            Assert.That(writable.Mounts.Count(m => m.Kind == MountRequestKind.Symlink), Is.EqualTo(2), "the links do not depend on read-only");
            Assert.That(readOnly.Mounts[^1], Is.EqualTo(new MountRequest("/sys/fs/cgroup", null, null, readOnly.Mounts[^1].Options) { Kind = MountRequestKind.Remount }));
        });
    }

    [Test]
    public void OwnCgroupNamespace_HonoursTheMountsOptions()
    {
        ICgroupManager manager = CgroupManager.Open(CgroupLayout.Parse(UnifiedText, "0::/\n"), "/c");

        SpawnPlan writable = CgroupMounts.Expand(PlanWith(ContainerNamespaces.Mount | ContainerNamespaces.Cgroup, "rw"), manager);
        SpawnPlan readOnly = CgroupMounts.Expand(PlanWith(ContainerNamespaces.Mount, "rw"), manager);

        Assert.Multiple(() =>
        {
            Assert.That(writable.Mounts[1], Is.EqualTo(new MountRequest("/sys/fs/cgroup", "bind", "/sys/fs/cgroup/c", writable.Mounts[1].Options)));
            Assert.That(writable.Mounts[1].Options, Does.Not.Contain("ro"));
            Assert.That(readOnly.Mounts[1].Options, Does.Contain("ro"));
        });
    }

    [Test]
    public void PlanWithoutCgroupMount_IsReturnedAsIs()
    {
        ICgroupManager manager = CgroupManager.Open(CgroupLayout.Parse(UnifiedText, "0::/\n"), "/c");
        SpawnPlan plan = new() { Args = ["/bin/true"], Mounts = [new MountRequest("/proc", "proc", "proc", [])] };

        Assert.That(CgroupMounts.Expand(plan, manager), Is.SameAs(plan));
    }
}
