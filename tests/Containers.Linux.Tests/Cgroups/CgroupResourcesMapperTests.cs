using Containers.Linux.Cgroups;
using Containers.Oci.Runtime;

namespace Containers.Linux.Tests.Cgroups;

public sealed class CgroupResourcesMapperTests
{
    private static IEnumerable<TestCaseData> BadResources()
    {
        yield return Case("linux.resources.memory.limit", new LinuxResources { Memory = new LinuxMemory { Limit = -5 } });
        yield return Case("linux.resources.memory.swap", new LinuxResources { Memory = new LinuxMemory { Limit = 100 << 20, Swap = 50 << 20 } });
        yield return Case("linux.resources.memory.swap", new LinuxResources { Memory = new LinuxMemory { Swap = 50 << 20 } });
        yield return Case("linux.resources.memory.swappiness", new LinuxResources { Memory = new LinuxMemory { Swappiness = 101 } });
        yield return Case("linux.resources.cpu.shares", new LinuxResources { Cpu = new LinuxCpu { Shares = 1 } });
        yield return Case("linux.resources.cpu.quota", new LinuxResources { Cpu = new LinuxCpu { Quota = 10 } });
        yield return Case("linux.resources.cpu.period", new LinuxResources { Cpu = new LinuxCpu { Period = 5_000_000 } });
        yield return Case("linux.resources.cpu.burst", new LinuxResources { Cpu = new LinuxCpu { Burst = 1000 } });
        yield return Case("linux.resources.cpu.cpus", new LinuxResources { Cpu = new LinuxCpu { Cpus = "3-1" } });
        yield return Case("linux.resources.cpu.mems", new LinuxResources { Cpu = new LinuxCpu { Mems = "zero" } });
        yield return Case("linux.resources.cpu.realtimeRuntime", new LinuxResources { Cpu = new LinuxCpu { RealtimeRuntime = 2000, RealtimePeriod = 1000 } });
        yield return Case("linux.resources.pids.limit", new LinuxResources { Pids = new LinuxPids { Limit = -2 } });
        yield return Case("linux.resources.blockIO.weight", new LinuxResources { BlockIO = new LinuxBlockIO { Weight = 5 } });
        yield return Case("linux.resources.blockIO.weightDevice[0].major", new LinuxResources { BlockIO = new LinuxBlockIO { WeightDevice = [new LinuxWeightDevice { Major = -1, Minor = 0, Weight = 100 }] } });
        yield return Case("linux.resources.blockIO.throttleReadBpsDevice[0].minor", new LinuxResources { BlockIO = new LinuxBlockIO { ThrottleReadBpsDevice = [new LinuxThrottleDevice { Major = 8, Minor = -3, Rate = 1 }] } });
        yield return Case("linux.resources.hugepageLimits[0].pageSize", new LinuxResources { HugepageLimits = [new LinuxHugepageLimit { PageSize = "2XB", Limit = 1 }] });
        yield return Case("linux.resources.devices[0].type", new LinuxResources { Devices = [new LinuxDeviceCgroup { Allow = true, Type = "x" }] });
        yield return Case("linux.resources.devices[1].access", new LinuxResources { Devices = [new LinuxDeviceCgroup { Allow = false }, new LinuxDeviceCgroup { Allow = true, Type = "c", Access = "rx" }] });
        yield return Case("linux.resources.devices[0].major", new LinuxResources { Devices = [new LinuxDeviceCgroup { Allow = true, Type = "c", Major = -7 }] });
        yield return Case("linux.resources.network.priorities[0].name", new LinuxResources { Network = new LinuxNetwork { Priorities = [new LinuxInterfacePriority { Name = "a/b", Priority = 1 }] } });

        static TestCaseData Case(string field, LinuxResources resources) => new TestCaseData(field, resources).SetArgDisplayNames(field);
    }

    [TestCaseSource(nameof(BadResources))]
    public void BadValuesNameTheField(string field, LinuxResources resources)
    {
        InvalidSpecException ex = Assert.Throws<InvalidSpecException>(() => CgroupResourcesMapper.Map(resources, CgroupMode.Hybrid))!;
        Assert.That(ex.JsonPath, Is.EqualTo(field));
    }

    [TestCase("memory/../../x")]
    [TestCase("..")]
    [TestCase("nodot")]
    [TestCase("")]
    public void BadUnifiedKeysAreRefused(string key)
    {
        LinuxResources resources = new() { Unified = new Dictionary<string, string> { [key] = "1" } };
        InvalidSpecException ex = Assert.Throws<InvalidSpecException>(() => CgroupResourcesMapper.Map(resources, CgroupMode.Unified))!;
        Assert.That(ex.JsonPath, Does.StartWith("linux.resources.unified"));
    }

    [Test]
    public void UnifiedOnV1IsUnsupportedAsInRunc()
        => Assert.That(() => CgroupResourcesMapper.Map(new LinuxResources { Unified = new Dictionary<string, string> { ["memory.high"] = "1" } }, CgroupMode.Hybrid), Throws.TypeOf<UnsupportedException>());

    [Test]
    public void RealtimeOnV2IsUnsupported()
        => Assert.That(() => CgroupResourcesMapper.Map(new LinuxResources { Cpu = new LinuxCpu { RealtimeRuntime = 100, RealtimePeriod = 1000 } }, CgroupMode.Unified), Throws.TypeOf<UnsupportedException>());

    [Test]
    public void DeviceRulesAreNormalized()
    {
        List<CgroupDeviceRule> rules = CgroupResourcesMapper.MapDevices(
        [
            new LinuxDeviceCgroup { Allow = false, Access = "rwm" },
            new LinuxDeviceCgroup { Allow = true, Type = "c", Major = 1, Minor = 3, Access = "mwr" },
            new LinuxDeviceCgroup { Allow = true, Type = "b", Major = 8, Minor = -1, Access = "r" },
        ]);
        Assert.That(rules.Select(r => (r.Allow, r.ToV1Line())), Is.EqualTo(new[] { (false, "a *:* rwm"), (true, "c 1:3 rwm"), (true, "b 8:* r") }));
    }

    [Test]
    public void TheLastWildcardRuleSetsTheDefault()
    {
        DeviceRuleSet set = DeviceRuleSet.From(CgroupResourcesMapper.MapDevices(
        [
            new LinuxDeviceCgroup { Allow = true, Type = "c", Major = 1, Minor = 3 },
            new LinuxDeviceCgroup { Allow = false },
            new LinuxDeviceCgroup { Allow = true, Type = "c", Major = 1, Minor = 5, Access = "rw" },
        ]));
        Assert.Multiple(() =>
        {
            Assert.That(set.DefaultAllow, Is.False);
            Assert.That(set.Exceptions.Select(r => r.ToV1Line()), Is.EqualTo(new[] { "c 1:5 rw" }));
        });
    }
}
