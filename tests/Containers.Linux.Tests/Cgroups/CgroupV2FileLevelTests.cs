using Containers.Linux.Cgroups;
using Containers.Oci.Runtime;
using Containers.Testing;

namespace Containers.Linux.Tests.Cgroups;

/// <summary>
/// The v2 controller files this hybrid host does not offer, checked at the file level: a
/// temporary directory stands in for the cgroup2 root and holds the control files a real leaf has.
/// </summary>
public sealed class CgroupV2FileLevelTests
{
    private static readonly string[] LeafFiles =
    [
        "cgroup.procs", "cgroup.freeze", "cgroup.events", "cgroup.kill",
        "cpuset.cpus", "cpuset.mems", "cpu.weight", "cpu.max", "cpu.max.burst", "cpu.idle", "cpu.stat",
        "memory.max", "memory.low", "memory.swap.max", "memory.current", "memory.events", "memory.stat",
        "pids.max", "pids.current", "io.weight", "io.max", "io.stat", "hugetlb.2MB.max", "hugetlb.2MB.current", "rdma.max", "memory.high",
    ];

    private TempDirectory _root = null!;

    [SetUp]
    public void SetUp() => _root = new TempDirectory("cgroup2-root-");

    [TearDown]
    public void TearDown() => _root.Dispose();

    [Test]
    public void WritesEveryControllerFileWithRuncsConversions()
    {
        CgroupV2Manager manager = NewLeaf("/box/c1");
        manager.Apply(new LinuxResources
        {
            Memory = new LinuxMemory { Limit = 256 << 20, Reservation = 128 << 20, Swap = 384 << 20, Swappiness = 10, DisableOomKiller = true, Kernel = 1 << 20 },
            Cpu = new LinuxCpu { Shares = 1024, Quota = 50_000, Period = 100_000, Burst = 10_000, Cpus = "0-1", Mems = "0", Idle = 0 },
            Pids = new LinuxPids { Limit = 64 },
            BlockIO = new LinuxBlockIO
            {
                Weight = 500,
                ThrottleReadBpsDevice = [new LinuxThrottleDevice { Major = 254, Minor = 0, Rate = 1_048_576 }],
                ThrottleWriteIopsDevice = [new LinuxThrottleDevice { Major = 254, Minor = 0, Rate = 100 }],
            },
            HugepageLimits = [new LinuxHugepageLimit { PageSize = "2MB", Limit = 4 << 21 }],
            Rdma = new Dictionary<string, LinuxRdma> { ["mlx5_0"] = new LinuxRdma { HcaHandles = 3, HcaObjects = 1000 } },
            Unified = new Dictionary<string, string> { ["memory.high"] = "200000000" },
            Network = new LinuxNetwork { ClassId = 0x100001 },
        });

        string dir = manager.Directories[string.Empty];
        Assert.Multiple(() =>
        {
            Assert.That(Read(dir, "memory.max"), Is.EqualTo("268435456"));
            Assert.That(Read(dir, "memory.low"), Is.EqualTo("134217728"));
            Assert.That(Read(dir, "memory.swap.max"), Is.EqualTo("134217728"), "swap.max = (memory+swap) - memory");
            Assert.That(Read(dir, "cpu.weight"), Is.EqualTo("39"), "1 + ((1024 - 2) * 9999) / 262142");
            Assert.That(Read(dir, "cpu.max"), Is.EqualTo("50000 100000"));
            Assert.That(Read(dir, "cpu.max.burst"), Is.EqualTo("10000"));
            Assert.That(Read(dir, "cpu.idle"), Is.EqualTo("0"));
            Assert.That(Read(dir, "cpuset.cpus"), Is.EqualTo("0-1"));
            Assert.That(Read(dir, "cpuset.mems"), Is.EqualTo("0"));
            Assert.That(Read(dir, "pids.max"), Is.EqualTo("64"));
            Assert.That(Read(dir, "io.weight"), Is.EqualTo("4950"), "1 + (500 - 10) * 9999 / 990");
            Assert.That(Read(dir, "io.max"), Is.EqualTo("254:0 wiops=100"), "last write; each write is one line to the kernel");
            Assert.That(Read(dir, "hugetlb.2MB.max"), Is.EqualTo("8388608"));
            Assert.That(Read(dir, "rdma.max"), Is.EqualTo("mlx5_0 hca_handle=3 hca_object=1000"));
            Assert.That(Read(dir, "memory.high"), Is.EqualTo("200000000"));
        });
    }

    [TestCase(1024UL, 39UL)]
    [TestCase(2UL, 1UL)]
    [TestCase(262144UL, 10000UL)]
    [TestCase(512UL, 20UL)]
    public void SharesToWeight(ulong shares, ulong weight) => Assert.That(CgroupV2Manager.SharesToWeight(shares), Is.EqualTo(weight));

    [TestCase(-1L, 100L, "max")]
    [TestCase(0L, -1L, "max")]
    [TestCase(0L, 100L, null)]
    [TestCase(100L, 100L, "0")]
    [TestCase(300L, 100L, "200")]
    public void SwapConversion(long swap, long limit, string? expected) => Assert.That(CgroupV2Manager.SwapMax(swap, limit), Is.EqualTo(expected));

    [Test]
    public void QuotaWithoutPeriodKeepsTheKernelsPeriodAndUnlimitedIsMax()
    {
        CgroupV2Manager manager = NewLeaf("/q");
        manager.Apply(new LinuxResources { Cpu = new LinuxCpu { Quota = 20_000 } });
        Assert.That(Read(manager.Directories[string.Empty], "cpu.max"), Is.EqualTo("20000"));
        manager.Apply(new LinuxResources { Cpu = new LinuxCpu { Quota = -1, Period = 100_000 } });
        Assert.That(Read(manager.Directories[string.Empty], "cpu.max"), Is.EqualTo("max 100000"));
    }

    [Test]
    public void UnknownUnifiedKeyIsRefusedBeforeAnyWrite()
    {
        CgroupV2Manager manager = NewLeaf("/u");
        LinuxResources resources = new()
        {
            Pids = new LinuxPids { Limit = 5 },
            Unified = new Dictionary<string, string> { ["memory.nonexistent"] = "1" },
        };
        InvalidSpecException ex = Assert.Throws<InvalidSpecException>(() => manager.Apply(resources))!;
        Assert.Multiple(() =>
        {
            Assert.That(ex.JsonPath, Is.EqualTo("linux.resources.unified[\"memory.nonexistent\"]"));
            Assert.That(Read(manager.Directories[string.Empty], "pids.max"), Is.Empty);
        });
    }

    [Test]
    public void CreateValidatesBeforeMakingTheDirectory()
    {
        CgroupV2Manager manager = new(_root.Path, "/never") { AttachDeviceFilter = false };
        Assert.That(() => manager.Create(new LinuxResources { Memory = new LinuxMemory { Swappiness = 500 } }), Throws.TypeOf<InvalidSpecException>());
        Assert.That(Directory.Exists(_root.Combine("never")), Is.False);
    }

    [Test]
    public void StatsReadV2Files()
    {
        CgroupV2Manager manager = NewLeaf("/s");
        string dir = manager.Directories[string.Empty];
        File.WriteAllText(Path.Combine(dir, "cpu.stat"), "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\nnr_periods 7\nnr_throttled 3\nthrottled_usec 20\n");
        File.WriteAllText(Path.Combine(dir, "memory.current"), "4096\n");
        File.WriteAllText(Path.Combine(dir, "memory.max"), "max\n");
        File.WriteAllText(Path.Combine(dir, "memory.events"), "low 0\nhigh 0\nmax 2\noom 1\noom_kill 1\n");
        File.WriteAllText(Path.Combine(dir, "memory.stat"), "anon 100\nfile 200\n");
        File.WriteAllText(Path.Combine(dir, "pids.current"), "3\n");
        File.WriteAllText(Path.Combine(dir, "pids.max"), "max\n");
        File.WriteAllText(Path.Combine(dir, "io.stat"), "254:0 rbytes=10 wbytes=20 rios=1 wios=2 dbytes=0 dios=0\n");
        File.WriteAllText(Path.Combine(dir, "hugetlb.2MB.current"), "0\n");

        CgroupStats stats = manager.GetStats();
        Assert.Multiple(() =>
        {
            Assert.That(stats.Cpu.Usage.Total, Is.EqualTo(1_500_000));
            Assert.That(stats.Cpu.Usage.User, Is.EqualTo(1_000_000));
            Assert.That(stats.Cpu.Throttling.ThrottledPeriods, Is.EqualTo(3));
            Assert.That(stats.Cpu.Throttling.ThrottledTime, Is.EqualTo(20_000));
            Assert.That(stats.Memory.Usage.Usage, Is.EqualTo(4096));
            Assert.That(stats.Memory.Usage.Limit, Is.EqualTo(ulong.MaxValue));
            Assert.That(stats.Memory.Usage.FailCount, Is.EqualTo(2));
            Assert.That(stats.Memory.Cache, Is.EqualTo(200));
            Assert.That(stats.Pids.Current, Is.EqualTo(3));
            Assert.That(stats.Pids.Limit, Is.Zero);
            Assert.That(stats.Blkio.IoServiceBytesRecursive!.Select(e => (e.Op, e.Value)), Is.EqualTo(new[] { ("Read", 10UL), ("Write", 20UL) }));
            Assert.That(stats.Hugetlb.Keys, Is.EquivalentTo(new[] { "2MB" }));
            Assert.That(manager.GetOomKillCount(), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task OomEventsComeFromMemoryEventsThroughInotify()
    {
        CgroupV2Manager manager = NewLeaf("/oom");
        string events = Path.Combine(manager.Directories[string.Empty], "memory.events");
        File.WriteAllText(events, "oom 0\noom_kill 0\n");
        using CancellationTokenSource cts = new(TimeSpan.FromSeconds(20));
        await using IAsyncEnumerator<ulong> watcher = manager.WatchOomEventsAsync(cts.Token).GetAsyncEnumerator(cts.Token);
        ValueTask<bool> next = watcher.MoveNextAsync();
        await Task.Delay(300);
        File.WriteAllText(events, "oom 1\noom_kill 1\n");
        Assert.That(await next, Is.True);
        Assert.That(watcher.Current, Is.EqualTo(1));
        await cts.CancelAsync();
    }

    private CgroupV2Manager NewLeaf(string path)
    {
        CgroupV2Manager manager = new(_root.Path, path) { AttachDeviceFilter = false };
        string dir = manager.Directories[string.Empty];
        Directory.CreateDirectory(dir);
        foreach (string file in LeafFiles)
        {
            File.WriteAllText(Path.Combine(dir, file), string.Empty);
        }

        return manager;
    }

    private static string Read(string dir, string file) => File.ReadAllText(Path.Combine(dir, file)).Trim();
}
