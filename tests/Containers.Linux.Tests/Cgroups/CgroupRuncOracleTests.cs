using System.Text.Json;
using System.Text.Json.Nodes;
using Containers.Linux.Cgroups;
using Containers.Oci.Runtime;
using Containers.Testing;

namespace Containers.Linux.Tests.Cgroups;

/// <summary>
/// runc 1.1.5 as the oracle: the same <c>linux.resources</c> goes to <c>runc run -d</c> and to our
/// manager, and the control files both leave behind must match.
/// </summary>
[NonParallelizable]
public sealed class CgroupRuncOracleTests
{
    private const string Runc = "/usr/sbin/runc";

    internal static readonly (string Controller, string File)[] ComparedFiles =
    [
        ("memory", "memory.limit_in_bytes"),
        ("memory", "memory.soft_limit_in_bytes"),
        ("memory", "memory.memsw.limit_in_bytes"),
        ("memory", "memory.swappiness"),
        ("memory", "memory.kmem.tcp.limit_in_bytes"),
        ("memory", "memory.kmem.limit_in_bytes"),
        ("cpu", "cpu.shares"),
        ("cpu", "cpu.cfs_quota_us"),
        ("cpu", "cpu.cfs_period_us"),
        ("cpu", "cpu.rt_runtime_us"),
        ("cpuset", "cpuset.cpus"),
        ("cpuset", "cpuset.mems"),
        ("pids", "pids.max"),
        ("blkio", "blkio.bfq.weight"),
        ("blkio", "blkio.throttle.read_bps_device"),
        ("blkio", "blkio.throttle.write_iops_device"),
        ("devices", "devices.list"),
        ("freezer", "freezer.state"),
        ("memory", "memory.oom_control"),
    ];

    private readonly CgroupTestScope _scope = new();

    [SetUp]
    public void SetUp()
    {
        TestHost.RequireRoot("runc and cgroups");
        TestHost.RequireTool(Runc, "runc");
        if (CgroupLayout.Detect().Mode == CgroupMode.Unified)
        {
            Assert.Ignore("the oracle comparison reads v1 files");
        }
    }

    [TearDown]
    public void TearDown() => Assert.That(_scope.Cleanup(), Is.Empty, "test cgroups left behind");

    private const string UnlimitedJson = """
        {
          "devices": [ { "allow": true, "access": "rwm" } ],
          "memory": { "limit": -1, "disableOOMKiller": true },
          "cpu": { "shares": 2, "quota": -1, "period": 50000 },
          "pids": { "limit": -1 }
        }
        """;

    [Test]
    public async Task UnlimitedValuesGiveTheSameControlFilesAsRunc() => await CompareWithRuncAsync(UnlimitedJson);

    [Test]
    public async Task SameResourcesGiveTheSameControlFilesAsRunc()
    {
        string block = FirstBlockDevice();
        await CompareWithRuncAsync($$"""
            {
              "devices": [
                { "allow": false, "access": "rwm" },
                { "allow": true, "type": "c", "major": 10, "minor": 229, "access": "rw" },
                { "allow": false, "type": "c", "major": 1, "minor": 9, "access": "w" }
              ],
              "memory": { "limit": 67108864, "reservation": 33554432, "swap": 134217728, "swappiness": 30, "kernel": 8388608, "kernelTCP": 16777216 },
              "cpu": { "shares": 512, "quota": 30000, "period": 100000, "cpus": "0", "mems": "0" },
              "pids": { "limit": 42 },
              "blockIO": {
                "weight": 300,
                "throttleReadBpsDevice": [ { "major": {{block.Split(':')[0]}}, "minor": {{block.Split(':')[1]}}, "rate": 1048576 } ],
                "throttleWriteIOPSDevice": [ { "major": {{block.Split(':')[0]}}, "minor": {{block.Split(':')[1]}}, "rate": 200 } ]
              }
            }
            """);
    }

    private async Task CompareWithRuncAsync(string resourcesJson)
    {
        CgroupLayout layout = CgroupLayout.Detect();
        ICgroupManager ours = _scope.Track(CgroupManager.Open(layout, CgroupTestScope.NewPath("ours-")));
        Dictionary<string, string> runcFiles = [];
        JsonNode config = await RunRuncAsync(layout, resourcesJson, (runcView, _, _) =>
        {
            runcFiles = ReadFiles(runcView);
            TestContext.Out.WriteLine("runc joined: " + string.Join(", ", runcView.Directories.Where(d => Directory.Exists(d.Value)).Select(d => d.Key.Length == 0 ? "(cgroup2)" : d.Key)));
            return Task.CompletedTask;
        });

        // The same config.json runc read, through our model: resources plus runc's default device list.
        Spec spec = JsonSerializer.Deserialize(config.ToJsonString(), RuntimeSpecJsonContext.Default.Spec)!;
        LinuxResources resources = spec.Linux!.Resources!;
        resources.Devices = CgroupDeviceDefaults.ForContainer(resources, spec.Linux.Devices);
        ours.Create(resources);
        Dictionary<string, string> ourFiles = ReadFiles(ours);

        foreach ((string file, string value) in runcFiles)
        {
            TestContext.Out.WriteLine($"{file}: runc [{value.Replace("\n", " | ", StringComparison.Ordinal)}] ours [{ourFiles.GetValueOrDefault(file)?.Replace("\n", " | ", StringComparison.Ordinal)}]");
        }

        Assert.That(ourFiles, Is.EquivalentTo(runcFiles));
    }

    [Test]
    public async Task StatsHaveTheFieldsAndValuesOfRuncEventsStats()
    {
        CgroupLayout layout = CgroupLayout.Detect();
        JsonObject? runcData = null;
        JsonObject? ourData = null;
        await RunRuncAsync(layout, """{ "memory": { "limit": 67108864 }, "pids": { "limit": 42 } }""", async (runcView, runcArgs, id) =>
        {
            ToolResult events = await Tool.RunAsync(Runc, [.. runcArgs, "events", "--stats", id]);
            Assert.That(events.ExitCode, Is.Zero, events.StandardError);
            runcData = JsonNode.Parse(events.StandardOutput)!["data"]!.AsObject();
            ourData = JsonNode.Parse(JsonSerializer.Serialize(runcView.GetStats(), CgroupStatsJsonContext.Default.CgroupStats))!.AsObject();
        });

        TestContext.Out.WriteLine("runc: " + runcData!.ToJsonString());
        TestContext.Out.WriteLine("ours: " + ourData!.ToJsonString());
        foreach (string path in new[] { "cpu.usage", "cpu.throttling", "memory", "memory.usage", "memory.swap", "pids", "blkio", "hugetlb" })
        {
            Assert.That(Keys(ourData, path), Is.SupersetOf(Keys(runcData, path)), path);
        }

        Assert.Multiple(() =>
        {
            Assert.That(ourData["pids"]!["current"]!.GetValue<ulong>(), Is.EqualTo(runcData["pids"]!["current"]!.GetValue<ulong>()));
            Assert.That(ourData["pids"]!["limit"]!.GetValue<ulong>(), Is.EqualTo(runcData["pids"]!["limit"]!.GetValue<ulong>()));
            Assert.That(ourData["memory"]!["usage"]!["limit"]!.GetValue<ulong>(), Is.EqualTo(runcData["memory"]!["usage"]!["limit"]!.GetValue<ulong>()));
            Assert.That(ourData["memory"]!["swap"]!["limit"]!.GetValue<ulong>(), Is.EqualTo(runcData["memory"]!["swap"]!["limit"]!.GetValue<ulong>()));
            Assert.That(ourData["cpu"]!["usage"]!["percpu"]!.AsArray(), Has.Count.EqualTo(runcData["cpu"]!["usage"]!["percpu"]!.AsArray().Count));
        });
    }

    private static IEnumerable<string> Keys(JsonObject root, string path)
    {
        JsonNode node = root;
        foreach (string part in path.Split('.'))
        {
            node = node[part]!;
        }

        return node.AsObject().Select(p => p.Key);
    }

    /// <summary>Runs busybox's sleep under runc with the resources, calls back while it runs, and deletes it.</summary>
    private async Task<JsonNode> RunRuncAsync(CgroupLayout layout, string resourcesJson, Func<ICgroupManager, string[], string, Task> whileRunning)
    {
        string runcPath = CgroupTestScope.NewPath("runc-");
        ICgroupManager runcView = _scope.Track(CgroupManager.Open(layout, runcPath));
        using TempDirectory temp = new();
        string bundle = temp.Combine("bundle");
        string state = temp.Combine("state");
        string id = "cg-oracle-" + Guid.NewGuid().ToString("N")[..8];
        await BusyboxRootfs.CreateAsync(Path.Combine(bundle, "rootfs"));
        await Tool.RunAsync(Runc, ["spec"], workingDirectory: bundle);
        JsonNode config = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(bundle, "config.json")))!;
        config["process"]!["terminal"] = false;
        config["process"]!["args"] = new JsonArray("sh", "-c", "exec sleep 30 </dev/null >/dev/null 2>&1");
        config["linux"]!["cgroupsPath"] = runcPath;
        config["linux"]!["resources"] = JsonNode.Parse(resourcesJson);
        await File.WriteAllTextAsync(Path.Combine(bundle, "config.json"), config.ToJsonString());

        using (new RuncDevNullGuard())
        {
            try
            {
                ToolResult run = await Tool.RunAsync(Runc, ["--root", state, "run", "-d", "--bundle", bundle, id], timeout: TimeSpan.FromSeconds(60));
                Assert.That(run.ExitCode, Is.Zero, run.StandardError);
                await whileRunning(runcView, ["--root", state], id);
            }
            finally
            {
                await Tool.RunAsync(Runc, ["--root", state, "delete", "-f", id]);
            }
        }

        return config;
    }

    internal static Dictionary<string, string> ReadFiles(ICgroupManager manager)
    {
        Dictionary<string, string> files = [];
        foreach ((string controller, string file) in ComparedFiles)
        {
            if (manager.Directories.TryGetValue(controller, out string? directory) && File.Exists(Path.Combine(directory, file)))
            {
                string text = File.ReadAllText(Path.Combine(directory, file)).Trim();

                // devices.list order is the kernel's insertion order; compare as a set.
                files[file] = file == "devices.list" ? string.Join('\n', text.Split('\n').Order(StringComparer.Ordinal)) : text;
            }
        }

        return files;
    }

    private static string FirstBlockDevice()
    {
        foreach (string device in Directory.GetDirectories("/sys/block").Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileName(device);
            if (!name.StartsWith("loop", StringComparison.Ordinal) && !name.StartsWith("zram", StringComparison.Ordinal) && !name.StartsWith("ram", StringComparison.Ordinal))
            {
                return File.ReadAllText(Path.Combine(device, "dev")).Trim();
            }
        }

        Assert.Ignore("no block device for blkio throttles");
        return "";
    }
}
