using Containers.Linux.Runtime;
using Containers.Oci.Runtime;

namespace Containers.Linux.Tests.Runtime;

/// <summary>The plan and program parts of in-container hooks, time namespaces and --no-pivot.</summary>
public sealed class LifecyclePlanTests
{
    private static Spec Minimal() => new()
    {
        OciVersion = "1.0.2",
        Process = new ProcessSpec { Cwd = "/", Args = ["sh"], Env = ["PATH=/bin"] },
        Root = new Root { Path = "rootfs" },
        Linux = new Oci.Runtime.Linux { Namespaces = [new LinuxNamespace { Type = "mount" }] },
    };

    [Test]
    public void TimeNamespace_IsNotACloneFlag_ButCarriesItsOffsets()
    {
        if (!File.Exists("/proc/self/ns/time"))
        {
            Assert.Ignore("this kernel has no time namespaces");
        }

        Spec spec = Minimal();
        spec.Linux!.Namespaces!.Add(new LinuxNamespace { Type = "time" });
        spec.Linux.TimeOffsets = new Dictionary<string, LinuxTimeOffset> { ["boottime"] = new() { Secs = 5, Nanosecs = 7 } };

        SpawnPlan plan = SpawnPlanFactory.Create(spec, "/b", []);

        Assert.That(plan.Namespaces, Is.EqualTo(ContainerNamespaces.Mount));
        Assert.That(plan.NewTimeNamespace, Is.True);
        Assert.That(ChildProgramBuilder.TimeOffsetsText(plan.TimeOffsets), Is.EqualTo("boottime 5 7\n"));
    }

    [Test]
    public void TimeOffsets_WithoutATimeNamespace_AreInvalidByName()
    {
        Spec spec = Minimal();
        spec.Linux!.TimeOffsets = new Dictionary<string, LinuxTimeOffset> { ["monotonic"] = new() { Secs = 5 } };

        InvalidSpecException ex = Assert.Throws<InvalidSpecException>(() => SpawnPlanFactory.Create(spec, "/b", []))!;

        Assert.That(ex.JsonPath, Is.EqualTo("linux.timeOffsets"));
    }

    [Test]
    public void TimeOffsetsText_RefusesNanosecondsOfASecondOrMore()
    {
        InvalidSpecException ex = Assert.Throws<InvalidSpecException>(() => ChildProgramBuilder.TimeOffsetsText([new("monotonic", new LinuxTimeOffset { Secs = 1, Nanosecs = 1_000_000_000 })]))!;

        Assert.That(ex.JsonPath, Is.EqualTo("linux.timeOffsets.monotonic.nanosecs"));
    }

    [Test]
    public void InContainerHooks_AreCarriedInOrder()
    {
        Spec spec = Minimal();
        spec.Hooks = new Hooks
        {
            CreateContainer = [new Hook { Path = "/bin/a" }, new Hook { Path = "/bin/b" }],
            StartContainer = [new Hook { Path = "/bin/c", Timeout = 3 }],
        };

        SpawnPlan plan = SpawnPlanFactory.Create(spec, "/b", []);

        Assert.That(plan.CreateContainerHooks.Select(h => h.Path), Is.EqualTo(new[] { "/bin/a", "/bin/b" }));
        Assert.That(plan.StartContainerHooks.Select(h => h.Timeout), Is.EqualTo(new int?[] { 3 }));
    }

    [Test]
    public void HostPseudoMounts_AreFullProcAndSysfsMountsOutsideTheRootfs_DeepestFirst()
    {
        string[] mountinfo =
        [
            "22 1 0:21 / /proc rw,nosuid - proc proc rw",
            "23 1 0:22 / /sys rw,nosuid - sysfs sysfs rw",
            "24 22 0:23 / /proc/sys/fs/binfmt_misc rw - autofs systemd-1 rw",
            "25 1 0:21 /sys /srv/proc\\040sys ro - proc proc rw",
            "26 1 0:21 / /srv/other\\040proc rw - proc proc rw",
            "27 1 0:21 / /bundle/rootfs/proc rw - proc proc rw",
            "28 1 8:1 / / rw - ext4 /dev/sda1 rw",
        ];

        string[] hidden = [.. ChildProgramBuilder.HostPseudoMounts(mountinfo, "/bundle/rootfs")];

        Assert.That(hidden, Is.EqualTo(new[] { "/srv/other proc", "/proc", "/sys" }));
    }
}
