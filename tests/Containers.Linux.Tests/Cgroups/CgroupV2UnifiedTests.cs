using Containers.Linux.Cgroups;
using Containers.Oci.Runtime;
using Containers.Testing;
using Microsoft.Win32.SafeHandles;

namespace Containers.Linux.Tests.Cgroups;

/// <summary>
/// The v2 manager on this host's real cgroup2 mount. On a hybrid host it holds no resource
/// controllers, but creation, placement, the freezer, cgroup.kill, cgroup.events and eBPF device
/// filters all work there.
/// </summary>
[NonParallelizable]
public sealed class CgroupV2UnifiedTests
{
    private readonly CgroupTestScope _scope = new();
    private string _mountPoint = null!;

    [SetUp]
    public void SetUp()
    {
        TestHost.RequireRoot("creates cgroups");
        _mountPoint = CgroupLayout.Detect().UnifiedMountPoint ?? "";
        if (_mountPoint.Length == 0)
        {
            Assert.Ignore("no cgroup2 mount on this host");
        }
    }

    [TearDown]
    public void TearDown()
    {
        Assert.That(_scope.Cleanup(), Is.Empty, "test cgroups left behind");
    }

    [Test]
    public void CreatePlaceFreezeThawKillDestroy()
    {
        CgroupV2Manager manager = Open();
        manager.Create();
        ShellProcess process = _scope.StartIn(manager, "sleep 60");
        Assert.Multiple(() =>
        {
            Assert.That(manager.GetPids(), Does.Contain(process.Pid));
            Assert.That(Events(manager)["populated"], Is.EqualTo(1));
        });

        manager.Freeze();
        Assert.That(manager.GetFreezerState(), Is.EqualTo(CgroupFreezerState.Frozen));
        manager.Thaw();
        Assert.That(manager.GetFreezerState(), Is.EqualTo(CgroupFreezerState.Thawed));

        process.Release();
        manager.KillAll();
        Assert.That(process.WaitForExit(TimeSpan.FromSeconds(10)), Is.True);
        Assert.That(process.Process.ExitCode, Is.EqualTo(137));
        CgroupTestScope.WaitUntil(() => Events(manager)["populated"] == 0);

        manager.Destroy();
        Assert.That(manager.Exists(), Is.False);
    }

    [Test]
    public void UnifiedDirectoryHandleIsAnOpathDirectory()
    {
        CgroupV2Manager manager = Open();
        manager.Create();
        using SafeFileHandle handle = manager.OpenUnifiedDirectory();
        string target = File.ResolveLinkTarget($"/proc/self/fd/{handle.DangerousGetHandle()}", false)!.FullName;
        Assert.That(target, Is.EqualTo(manager.Directories[string.Empty]));
    }

    [Test]
    public void DeviceFilterDeniesOneDevice()
    {
        CgroupV2Manager manager = Open();
        manager.Create(new LinuxResources
        {
            Devices =
            [
                new LinuxDeviceCgroup { Allow = true, Access = "rwm" },
                new LinuxDeviceCgroup { Allow = false, Type = "c", Major = 1, Minor = 9, Access = "rwm" },
            ],
        });
        string output = Probe(manager);
        Assert.That(output, Does.Contain("urandom-denied").And.Contain("zero-ok").And.Contain("null-ok"));
    }

    [Test]
    public void DefaultDenyFilterAllowsOnlyTheListAndAnUpdateReplacesIt()
    {
        CgroupV2Manager manager = Open();
        manager.Create(new LinuxResources
        {
            Devices =
            [
                new LinuxDeviceCgroup { Allow = false },
                new LinuxDeviceCgroup { Allow = true, Type = "c", Major = 1, Minor = 3, Access = "rw" },
                new LinuxDeviceCgroup { Allow = true, Type = "c", Major = 1, Minor = 5, Access = "r" },
            ],
        });
        Assert.That(Probe(manager), Does.Contain("urandom-denied").And.Contain("zero-ok").And.Contain("null-ok"));

        manager.Apply(new LinuxResources { Devices = [new LinuxDeviceCgroup { Allow = false }, new LinuxDeviceCgroup { Allow = true, Type = "c", Major = 1, Minor = 3, Access = "rwm" }] });
        Assert.That(Probe(manager), Does.Contain("urandom-denied").And.Contain("zero-denied").And.Contain("null-ok"));
    }

    [Test]
    public void RuncsDefaultListAllowsTheStandardDevicesAndNoBlockDevice()
    {
        string? disk = Directory.GetFiles("/dev").FirstOrDefault(d => Path.GetFileName(d) is "vda" or "sda" or "nvme0n1" or "xvda");
        if (disk is null)
        {
            Assert.Ignore("no disk device node to probe");
        }

        CgroupV2Manager manager = Open();
        LinuxResources resources = new() { Devices = [new LinuxDeviceCgroup { Allow = false }] };
        resources.Devices = CgroupDeviceDefaults.ForContainer(resources, null);
        manager.Create(resources);
        string output = Probe(manager, $"if head -c 1 {disk} >/dev/null 2>&1; then echo disk-ok; else echo disk-denied; fi");
        Assert.That(output, Does.Contain("urandom-ok").And.Contain("zero-ok").And.Contain("null-ok").And.Contain("disk-denied"));
    }

    private string Probe(CgroupV2Manager manager, string extra = "")
    {
        ShellProcess process = _scope.StartIn(manager,
            "if head -c 1 /dev/urandom >/dev/null 2>&1; then echo urandom-ok; else echo urandom-denied; fi; "
            + "if head -c 1 /dev/zero >/dev/null 2>&1; then echo zero-ok; else echo zero-denied; fi; "
            + "if echo x >/dev/null 2>&1; then echo null-ok; else echo null-denied; fi; " + extra);
        process.Release();
        Assert.That(process.WaitForExit(TimeSpan.FromSeconds(10)), Is.True);
        string output = process.Process.StandardOutput.ReadToEnd();
        TestContext.Out.WriteLine(output);
        return output;
    }

    private CgroupV2Manager Open()
        => _scope.Track(new CgroupV2Manager(_mountPoint, CgroupTestScope.NewPath("v2-")) { EnableControllersInExistingAncestors = false });

    private static Dictionary<string, long> Events(ICgroupManager manager)
        => File.ReadAllLines(Path.Combine(manager.Directories[string.Empty], "cgroup.events"))
            .Select(l => l.Split(' ')).ToDictionary(p => p[0], p => long.Parse(p[1]));
}
