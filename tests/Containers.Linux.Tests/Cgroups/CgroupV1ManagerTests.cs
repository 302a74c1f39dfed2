using System.Text.Json;
using Containers.Linux.Cgroups;
using Containers.Oci.Runtime;
using Containers.Testing;

namespace Containers.Linux.Tests.Cgroups;

/// <summary>The v1 manager on this host's real controllers (legacy or hybrid hosts, as root).</summary>
[NonParallelizable]
public sealed class CgroupV1ManagerTests
{
    private readonly CgroupTestScope _scope = new();
    private CgroupLayout _layout = null!;

    [SetUp]
    public void SetUp()
    {
        TestHost.RequireRoot("creates cgroups");
        _layout = CgroupLayout.Detect();
        if (_layout.Mode == CgroupMode.Unified)
        {
            Assert.Ignore("this host has no cgroup v1 controllers");
        }
    }

    [TearDown]
    public void TearDown()
    {
        List<string> leaked = _scope.Cleanup();
        Assert.That(leaked, Is.Empty, "test cgroups left behind");
    }

    [Test]
    public void CreateMakesTheCgroupInEveryHierarchyAndDestroyRemovesIt()
    {
        ICgroupManager manager = Open();
        manager.Create();
        Assert.That(manager.Directories.Values.All(Directory.Exists), Is.True);
        Assert.That(manager.Directories.ContainsKey("memory") && manager.Directories.ContainsKey("name=systemd"), Is.True);
        manager.Destroy();
        Assert.That(manager.Directories.Values.Where(Directory.Exists), Is.Empty);
        Assert.That(manager.Exists(), Is.False);
    }

    [Test]
    public void InvalidResourcesCreateNothing()
    {
        ICgroupManager manager = Open();
        Assert.That(() => manager.Create(new LinuxResources { Pids = new LinuxPids { Limit = 10 }, Memory = new LinuxMemory { Limit = 100 << 20, Swap = 10 } }),
            Throws.TypeOf<InvalidSpecException>().With.Property(nameof(InvalidSpecException.JsonPath)).EqualTo("linux.resources.memory.swap"));
        Assert.That(manager.Exists(), Is.False);
    }

    [Test]
    public void MemoryLimitOomKillsAnAllocatorAndReportsTheEvent()
    {
        ICgroupManager manager = Open();
        manager.Create(new LinuxResources { Memory = new LinuxMemory { Limit = 32 << 20, Swap = 32 << 20 } });
        Assert.That(Read(manager, "memory", "memory.limit_in_bytes"), Is.EqualTo((32 << 20).ToString()));

        using CancellationTokenSource cts = new(TimeSpan.FromSeconds(60));
        Task<ulong> firstEvent = FirstAsync(manager.WatchOomEventsAsync(cts.Token));
        Thread.Sleep(300); // let the watcher register its eventfd
        ShellProcess hog = _scope.StartIn(manager, "x=aaaaaaaaaaaaaaaa; while :; do x=$x$x; done");
        hog.Release();
        Assert.That(hog.WaitForExit(TimeSpan.FromSeconds(60)), Is.True, "allocator was not killed");
        Assert.That(hog.Process.ExitCode, Is.EqualTo(137), "killed by SIGKILL");
        Assert.That(firstEvent.Wait(TimeSpan.FromSeconds(10)), Is.True, "no OOM event");
        CgroupTestScope.WaitUntil(() => manager.GetOomKillCount() >= 1);
        Assert.Multiple(() =>
        {
            Assert.That(firstEvent.Result, Is.GreaterThanOrEqualTo(1));
            // The peak reached the limit (failcnt stays 0 on this kernel: the OOM path does not count it).
            Assert.That(manager.GetStats().Memory.Usage.Max, Is.GreaterThan(16UL << 20));
        });
        cts.Cancel();
    }

    [Test]
    public void PidsLimitStopsAForkBomb()
    {
        ICgroupManager manager = Open();
        manager.Create(new LinuxResources { Pids = new LinuxPids { Limit = 10 } });
        ShellProcess bomb = _scope.StartIn(manager, "for i in $(seq 100); do sleep 30 & done; echo done");
        bomb.Release();
        Assert.That(bomb.WaitForExit(TimeSpan.FromSeconds(30)), Is.True);
        string errors = bomb.Process.StandardError.ReadToEnd();
        Assert.Multiple(() =>
        {
            Assert.That(errors, Does.Contain("fork").IgnoreCase, "sh reports the failed fork");
            Assert.That(manager.GetPids(), Has.Count.LessThanOrEqualTo(10));
            Assert.That(manager.GetStats().Pids.Limit, Is.EqualTo(10));
        });
    }

    [Test]
    public void CpuQuotaCapsABusyLoop()
    {
        ICgroupManager manager = Open();
        manager.Create(new LinuxResources { Cpu = new LinuxCpu { Quota = 20_000, Period = 100_000 } });
        ShellProcess spinner = _scope.StartIn(manager, "while :; do :; done");
        spinner.Release();
        Thread.Sleep(200);
        ulong before = manager.GetStats().Cpu.Usage.Total;
        System.Diagnostics.Stopwatch watch = System.Diagnostics.Stopwatch.StartNew();
        Thread.Sleep(1500);
        CgroupStats after = manager.GetStats();
        double share = (after.Cpu.Usage.Total - before) / (watch.Elapsed.TotalMilliseconds * 1_000_000);
        TestContext.Out.WriteLine($"cpu share {share:P1}");
        Assert.Multiple(() =>
        {
            Assert.That(share, Is.GreaterThan(0.02), "the loop ran");
            Assert.That(share, Is.LessThan(0.7), "quota 20% of one CPU");
            Assert.That(after.Cpu.Throttling.ThrottledPeriods, Is.GreaterThan(0));
        });
    }

    [Test]
    public void FreezeStopsACounterAndThawContinuesIt()
    {
        using TempDirectory temp = new();
        string counter = temp.Combine("count");
        ICgroupManager manager = Open();
        manager.Create();
        ShellProcess process = _scope.StartIn(manager, $"i=0; while :; do i=$((i+1)); echo $i > {counter}; sleep 0.02; done");
        process.Release();
        CgroupTestScope.WaitUntil(() => ReadCounter(counter) > 3);

        manager.Freeze();
        Assert.That(manager.GetFreezerState(), Is.EqualTo(CgroupFreezerState.Frozen));
        long frozenAt = ReadCounter(counter);
        Thread.Sleep(300);
        Assert.That(ReadCounter(counter), Is.EqualTo(frozenAt), "no progress while frozen");

        manager.Thaw();
        Assert.That(manager.GetFreezerState(), Is.EqualTo(CgroupFreezerState.Thawed));
        CgroupTestScope.WaitUntil(() => ReadCounter(counter) > frozenAt + 3);
        manager.KillAll();
        Assert.That(process.WaitForExit(TimeSpan.FromSeconds(10)), Is.True);
    }

    [Test]
    public void UpdateChangesLimitsLive()
    {
        ICgroupManager manager = Open();
        manager.Create(new LinuxResources { Memory = new LinuxMemory { Limit = 64 << 20 }, Pids = new LinuxPids { Limit = 20 }, Cpu = new LinuxCpu { Shares = 512 } });
        ShellProcess process = _scope.StartIn(manager, "sleep 30");
        process.Release();
        manager.Apply(new LinuxResources { Memory = new LinuxMemory { Limit = 128 << 20, Swap = 256 << 20 }, Pids = new LinuxPids { Limit = 30 }, Cpu = new LinuxCpu { Shares = 2048 } });
        Assert.Multiple(() =>
        {
            Assert.That(Read(manager, "memory", "memory.limit_in_bytes"), Is.EqualTo((128 << 20).ToString()));
            Assert.That(Read(manager, "memory", "memory.memsw.limit_in_bytes"), Is.EqualTo((256 << 20).ToString()));
            Assert.That(Read(manager, "pids", "pids.max"), Is.EqualTo("30"));
            Assert.That(Read(manager, "cpu", "cpu.shares"), Is.EqualTo("2048"));
            Assert.That(manager.GetPids(), Does.Contain(process.Pid));
        });

        // Shrinking both: memory first, then memsw (the kernel keeps memory <= memsw at every step).
        manager.Apply(new LinuxResources { Memory = new LinuxMemory { Limit = 48 << 20, Swap = 64 << 20 } });
        Assert.That(Read(manager, "memory", "memory.memsw.limit_in_bytes"), Is.EqualTo((64 << 20).ToString()));
    }

    [Test]
    public void LimitsForUnmountedControllersAreRefusedAndCreateNothing()
    {
        if (_layout.GetV1MountPoint("hugetlb") is not null)
        {
            Assert.Ignore("hugetlb is mounted here");
        }

        ICgroupManager manager = Open();
        Assert.That(() => manager.Create(new LinuxResources { HugepageLimits = [new LinuxHugepageLimit { PageSize = "2MB", Limit = 2 << 20 }] }),
            Throws.TypeOf<UnsupportedException>().With.Message.Contains("hugepageLimits"));
        Assert.That(manager.Exists(), Is.False);
    }

    [Test]
    public void AnInvalidUpdateChangesNothing()
    {
        ICgroupManager manager = Open();
        manager.Create(new LinuxResources { Pids = new LinuxPids { Limit = 20 }, Cpu = new LinuxCpu { Shares = 512 } });
        Assert.That(() => manager.Apply(new LinuxResources { Pids = new LinuxPids { Limit = 99 }, Cpu = new LinuxCpu { Shares = 1 } }),
            Throws.TypeOf<InvalidSpecException>().With.Property(nameof(InvalidSpecException.JsonPath)).EqualTo("linux.resources.cpu.shares"));
        Assert.That(Read(manager, "pids", "pids.max"), Is.EqualTo("20"));
    }

    [Test]
    public void CheckBeforeUpdateRefusesALimitBelowUsage()
    {
        ICgroupManager manager = Open();
        manager.Create(new LinuxResources { Memory = new LinuxMemory { Limit = 64 << 20 } });
        ShellProcess process = _scope.StartIn(manager, "sleep 30");
        process.Release();
        CgroupTestScope.WaitUntil(() => manager.GetStats().Memory.Usage.Usage > 8192);
        Assert.That(() => manager.Apply(new LinuxResources { Memory = new LinuxMemory { Limit = 8192, CheckBeforeUpdate = true } }), Throws.TypeOf<FailedPreconditionException>());
        Assert.That(Read(manager, "memory", "memory.limit_in_bytes"), Is.EqualTo((64 << 20).ToString()));
    }

    [Test]
    public void StatsJsonHasRuncsFields()
    {
        ICgroupManager manager = Open();
        manager.Create(new LinuxResources { Pids = new LinuxPids { Limit = 50 }, Memory = new LinuxMemory { Limit = 64 << 20 } });
        ShellProcess process = _scope.StartIn(manager, "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done; exec sleep 30");
        process.Release();
        Thread.Sleep(500);

        string json = JsonSerializer.Serialize(manager.GetStats(), CgroupStatsJsonContext.Default.CgroupStats);
        TestContext.Out.WriteLine(json);
        using JsonDocument document = JsonDocument.Parse(json);
        JsonElement root = document.RootElement;
        Assert.Multiple(() =>
        {
            Assert.That(root.GetProperty("cpu").GetProperty("usage").GetProperty("total").GetUInt64(), Is.GreaterThan(0));
            Assert.That(root.GetProperty("cpu").GetProperty("usage").GetProperty("percpu").GetArrayLength(), Is.EqualTo(Environment.ProcessorCount));
            Assert.That(root.GetProperty("memory").GetProperty("usage").GetProperty("usage").GetUInt64(), Is.GreaterThan(0));
            Assert.That(root.GetProperty("memory").GetProperty("usage").GetProperty("limit").GetUInt64(), Is.EqualTo(64UL << 20));
            Assert.That(root.GetProperty("memory").GetProperty("raw").TryGetProperty("rss", out _), Is.True);
            Assert.That(root.GetProperty("pids").GetProperty("current").GetUInt64(), Is.EqualTo(1));
            Assert.That(root.GetProperty("pids").GetProperty("limit").GetUInt64(), Is.EqualTo(50));
            Assert.That(root.TryGetProperty("blkio", out _), Is.True);
            Assert.That(root.TryGetProperty("hugetlb", out _), Is.True);
        });
    }

    [Test]
    public void KillAllKillsEveryProcess()
    {
        ICgroupManager manager = Open();
        manager.Create();
        ShellProcess[] processes = [_scope.StartIn(manager, "sleep 60"), _scope.StartIn(manager, "sleep 60 & sleep 60 & wait"), _scope.StartIn(manager, "while :; do sleep 1; done")];
        foreach (ShellProcess process in processes)
        {
            process.Release();
        }

        CgroupTestScope.WaitUntil(() => manager.GetPids().Count >= 5);
        manager.KillAll();
        foreach (ShellProcess process in processes)
        {
            Assert.That(process.WaitForExit(TimeSpan.FromSeconds(10)), Is.True);
        }

        CgroupTestScope.WaitUntil(() => manager.GetPids().Count == 0);
    }

    [Test]
    public void KillAllWithAnotherSignalUsesFreezeSignalThaw()
    {
        ICgroupManager manager = Open();
        manager.Create();
        ShellProcess process = _scope.StartIn(manager, "sleep 60");
        process.Release();
        CgroupTestScope.WaitUntil(() => manager.GetPids().Count >= 2);
        manager.KillAll(15);
        Assert.That(process.WaitForExit(TimeSpan.FromSeconds(10)), Is.True);
        Assert.That(manager.GetFreezerState(), Is.EqualTo(CgroupFreezerState.Thawed));
    }

    [Test]
    public void DeviceRulesAreWrittenAsDenyAllThenTheAllowList()
    {
        ICgroupManager manager = Open();
        LinuxResources resources = new() { Devices = [new LinuxDeviceCgroup { Allow = false, Access = "rwm" }] };
        resources.Devices = CgroupDeviceDefaults.ForContainer(resources, [new LinuxDevice { Path = "/dev/fuse", Type = "c", Major = 10, Minor = 229 }]);
        manager.Create(resources);
        string[] list = Read(manager, "devices", "devices.list").Split('\n');
        Assert.That(list, Is.EquivalentTo(new[]
        {
            "c *:* m", "b *:* m", "c 1:3 rwm", "c 1:8 rwm", "c 1:7 rwm", "c 5:0 rwm", "c 1:5 rwm", "c 1:9 rwm",
            "c 136:* rwm", "c 5:2 rwm", "c 10:200 rwm", "c 10:229 rwm",
        }));
    }

    [Test]
    public void AddProcessMovesItIntoEveryHierarchy()
    {
        ICgroupManager manager = Open();
        manager.Create();
        ShellProcess process = _scope.StartIn(manager, "sleep 30");
        string own = File.ReadAllText($"/proc/{process.Pid}/cgroup");
        Assert.That(own, Does.Contain(":memory:" + manager.Path + "\n").And.Contain(":pids:" + manager.Path + "\n").And.Contain("0::" + manager.Path + "\n"));
    }

    private ICgroupManager Open() => _scope.Track(CgroupManager.Open(_layout, CgroupTestScope.NewPath()));

    private static string Read(ICgroupManager manager, string controller, string file)
        => File.ReadAllText(Path.Combine(manager.Directories[controller], file)).Trim();

    private static long ReadCounter(string path)
    {
        try
        {
            return long.TryParse(File.ReadAllText(path).Trim(), out long value) ? value : 0;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static async Task<ulong> FirstAsync(IAsyncEnumerable<ulong> events)
    {
        await foreach (ulong count in events)
        {
            return count;
        }

        return 0;
    }
}
