using Containers.Linux.Cgroups;

namespace Containers.Linux.Tests.Cgroups;

public sealed class CgroupLayoutTests
{
    private const string PureV1Text = """
        22 28 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
        25 22 0:23 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755
        27 25 0:25 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:10 - cgroup cgroup rw,xattr,release_agent=/usr/lib/systemd/systemd-cgroups-agent,name=systemd
        30 25 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:11 - cgroup cgroup rw,cpu,cpuacct
        31 25 0:29 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:12 - cgroup cgroup rw,memory
        32 25 0:30 / /sys/fs/cgroup/net_cls,net_prio rw,nosuid,nodev,noexec,relatime shared:13 - cgroup cgroup rw,net_cls,net_prio
        """;

    private const string PureV2Text = """
        24 30 0:22 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
        35 24 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
        """;

    private const string HybridText = """
        31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
        32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
        35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
        40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
        41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
        """;

    [Test]
    public void RealHostIsHybridWithV1ControllersAndTheUnifiedMount()
    {
        CgroupLayout layout = CgroupLayout.Detect();
        if (layout.Mode != CgroupMode.Hybrid)
        {
            Assert.Ignore($"this host is {layout.Mode}; the development machines are hybrid");
        }

        Assert.Multiple(() =>
        {
            Assert.That(layout.UnifiedMountPoint, Is.EqualTo("/sys/fs/cgroup/unified"));
            Assert.That(layout.GetV1MountPoint("memory"), Is.EqualTo("/sys/fs/cgroup/memory"));
            Assert.That(layout.GetV1MountPoint("pids"), Is.EqualTo("/sys/fs/cgroup/pids"));
            Assert.That(layout.V1MountPoints.ContainsKey("name=systemd"), Is.True);
            Assert.That(layout.OwnPaths.ContainsKey(string.Empty), Is.True);
        });
    }

    [Test]
    public void PureV1WithCoMountedControllers()
    {
        CgroupLayout layout = CgroupLayout.Parse(PureV1Text, "12:memory:/user.slice\n4:cpu,cpuacct:/\n1:name=systemd:/init.scope\n");
        Assert.Multiple(() =>
        {
            Assert.That(layout.Mode, Is.EqualTo(CgroupMode.Legacy));
            Assert.That(layout.UnifiedMountPoint, Is.Null);
            Assert.That(layout.GetV1MountPoint("cpu"), Is.EqualTo("/sys/fs/cgroup/cpu,cpuacct"));
            Assert.That(layout.GetV1MountPoint("cpuacct"), Is.EqualTo("/sys/fs/cgroup/cpu,cpuacct"));
            Assert.That(layout.GetV1MountPoint("net_prio"), Is.EqualTo("/sys/fs/cgroup/net_cls,net_prio"));
            Assert.That(layout.GetV1MountPoint("name=systemd"), Is.EqualTo("/sys/fs/cgroup/systemd"));
            Assert.That(layout.V1MountPoints.Keys, Has.None.StartsWith("release_agent").And.None.EqualTo("xattr").And.None.EqualTo("rw"));
            Assert.That(layout.OwnPaths["memory"], Is.EqualTo("/user.slice"));
            Assert.That(layout.OwnPaths["cpuacct"], Is.EqualTo("/"));
        });
    }

    [Test]
    public void PureV2()
    {
        CgroupLayout layout = CgroupLayout.Parse(PureV2Text, "0::/user.slice/session-1.scope\n");
        Assert.Multiple(() =>
        {
            Assert.That(layout.Mode, Is.EqualTo(CgroupMode.Unified));
            Assert.That(layout.UnifiedMountPoint, Is.EqualTo("/sys/fs/cgroup"));
            Assert.That(layout.V1MountPoints, Is.Empty);
            Assert.That(layout.OwnPaths[string.Empty], Is.EqualTo("/user.slice/session-1.scope"));
        });
    }

    [Test]
    public void HybridFromText()
    {
        CgroupLayout layout = CgroupLayout.Parse(HybridText);
        Assert.Multiple(() =>
        {
            Assert.That(layout.Mode, Is.EqualTo(CgroupMode.Hybrid));
            Assert.That(layout.UnifiedMountPoint, Is.EqualTo("/sys/fs/cgroup/unified"));
            Assert.That(layout.V1MountPoints.Keys, Is.EquivalentTo(new[] { "cpu", "memory", "name=systemd" }));
        });
    }

    [Test]
    public void NoCgroupMountIsUnsupported()
        => Assert.That(() => CgroupLayout.Parse("22 28 0:21 / /sys rw - sysfs sysfs rw\n"), Throws.TypeOf<UnsupportedException>());

    [Test]
    public void EscapedMountPointsAreDecoded()
    {
        CgroupLayout layout = CgroupLayout.Parse("35 24 0:30 / /mnt/my\\040cgroup rw - cgroup2 cgroup2 rw\n");
        Assert.That(layout.UnifiedMountPoint, Is.EqualTo("/mnt/my cgroup"));
    }
}
