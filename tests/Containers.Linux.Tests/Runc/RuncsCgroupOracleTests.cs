using System.Text.Json.Nodes;
using Containers.Linux.Cgroups;
using Containers.Linux.Tests.Cgroups;
using Containers.Testing;

namespace Containers.Linux.Tests.Runc;

/// <summary>
/// runcs and runc 1.1.5 run the same config.json (same resources, each in its own cgroup): the
/// control files they leave and the fields of their <c>events --stats</c> must agree.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class RuncsCgroupOracleTests
{
    private const string Resources = """
        {
          "devices": [
            { "allow": false, "access": "rwm" },
            { "allow": true, "type": "c", "major": 10, "minor": 229, "access": "rw" }
          ],
          "memory": { "limit": 67108864, "reservation": 33554432, "swap": 134217728, "swappiness": 30 },
          "cpu": { "shares": 512, "quota": 30000, "period": 100000, "cpus": "0", "mems": "0" },
          "pids": { "limit": 42 },
          "blockIO": { "weight": 300 }
        }
        """;

    /// <summary>runc's omitempty counters: present or not depending on the value (cpu throttling differs run to run).</summary>
    private static readonly string[] OmittedWhenZero = ["cpu.throttling.periods", "cpu.throttling.throttledPeriods", "cpu.throttling.throttledTime"];

    private TestBundle _bundle = null!;
    private StateRoot _root = null!;
    private string _runcRoot = null!;
    private CgroupTestScope _scope = null!;

    [SetUp]
    public void SetUp()
    {
        RootRequired.Check();
        TestHost.RequireTool("/usr/sbin/runc", "runc");
        if (CgroupLayout.Detect().Mode == CgroupMode.Unified)
        {
            Assert.Ignore("the comparison reads v1 control files");
        }

        _bundle = new TestBundle();
        _root = new StateRoot("runcs-cg-oracle");
        _runcRoot = Path.Combine(Path.GetTempPath(), $"runc-cg-oracle-{Guid.NewGuid():N}");
        _scope = new CgroupTestScope();
        _bundle.Config["linux"]!["resources"] = JsonNode.Parse(Resources);
        _bundle.WithArgs("sleep", "1000");
    }

    [TearDown]
    public void TearDown()
    {
        if (_runcRoot is not null && Directory.Exists(_runcRoot))
        {
            using (new RuncDevNullGuard())
            {
                foreach (string container in Directory.GetDirectories(_runcRoot))
                {
                    Commands.Run("runc", ["--root", _runcRoot, "delete", "--force", Path.GetFileName(container)]);
                }
            }

            Directory.Delete(_runcRoot, recursive: true);
        }

        _root?.Dispose();
        List<string>? leaked = _scope?.Cleanup();
        _bundle?.Dispose();
        Assert.That(leaked, Is.Null.Or.Empty, "cgroup directories left behind");
    }

    [Test]
    public void SameConfig_SameControlFilesAndStatsFieldsAsRunc()
    {
        CgroupLayout layout = CgroupLayout.Detect();
        (ICgroupManager runcs, JsonObject runcsStats) = Start(layout, RuncsBinary.Path, _root.Path);
        (ICgroupManager runc, JsonObject runcStats) = Start(layout, "runc", _runcRoot);

        Dictionary<string, string> runcsFiles = CgroupRuncOracleTests.ReadFiles(runcs);
        Dictionary<string, string> runcFiles = CgroupRuncOracleTests.ReadFiles(runc);
        foreach ((string file, string value) in runcFiles)
        {
            TestContext.Out.WriteLine($"{file}: runc [{value.Replace("\n", " | ", StringComparison.Ordinal)}] runcs [{runcsFiles.GetValueOrDefault(file)?.Replace("\n", " | ", StringComparison.Ordinal)}]");
        }

        TestContext.Out.WriteLine("runc:  " + runcStats.ToJsonString());
        TestContext.Out.WriteLine("runcs: " + runcsStats.ToJsonString());
        Assert.Multiple(() =>
        {
            Assert.That(runcsFiles, Is.EquivalentTo(runcFiles));
            Assert.That(runcsFiles, Has.Count.GreaterThanOrEqualTo(10), "too few control files compared");
            Assert.That(Fields(runcsStats).Except(OmittedWhenZero), Is.EquivalentTo(Fields(runcStats).Except(OmittedWhenZero)));
            Assert.That(Fields(runcsStats).Intersect(Fields(runcStats)).Count(), Is.GreaterThan(80), "too few fields compared");
            Assert.That((ulong)runcsStats["pids"]!["limit"]!, Is.EqualTo((ulong)runcStats["pids"]!["limit"]!));
            Assert.That((ulong)runcsStats["memory"]!["usage"]!["limit"]!, Is.EqualTo((ulong)runcStats["memory"]!["usage"]!["limit"]!));
            Assert.That(runcsStats["cpuset"]!.ToJsonString(), Is.EqualTo(runcStats["cpuset"]!.ToJsonString()));
        });
    }

    [Test]
    public void CgroupMount_ListsTheSameNamesAndLinksAsRunc()
    {
        _bundle.Config["mounts"]!.AsArray().Add(JsonNode.Parse("""
            { "destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": ["nosuid", "noexec", "nodev", "relatime", "ro"] }
            """));
        _bundle.WithArgs("ls", "-l", "/sys/fs/cgroup");

        List<string> runcs = Listing(RuncsBinary.Path, _root.Path);
        List<string> runc = Listing("runc", _runcRoot);

        TestContext.Out.WriteLine("runc:  " + string.Join(" | ", runc));
        TestContext.Out.WriteLine("runcs: " + string.Join(" | ", runcs));

        // runc 1.1.5 leaves the hybrid host's cgroup2 hierarchy out; runcs binds it as "unified"
        // (the host's name for it), so that one entry is runcs's own.
        Assert.That(runcs, Does.Contain("d unified"));
        Assert.That(runcs.Where(e => e != "d unified"), Is.EqualTo(runc));
        Assert.That(runc, Has.Count.GreaterThanOrEqualTo(5), "too few hierarchies compared");
        if (!runc.Any(e => e.StartsWith("l ", StringComparison.Ordinal)))
        {
            TestContext.Out.WriteLine("this host co-mounts no v1 hierarchies: no links to compare (CgroupMountsTests covers them in the plan)");
        }
    }

    /// <summary>Runs the bundle in the foreground; each <c>ls -l</c> entry as its type letter and name (with the link target).</summary>
    private List<string> Listing(string runtime, string root)
    {
        string path = CgroupTestScope.NewPath(Path.GetFileName(runtime) + "-");
        _scope.Track(CgroupManager.Open(CgroupLayout.Detect(), path));
        _bundle.Config["linux"]!["cgroupsPath"] = path;
        _bundle.Save();
        string id = "cg-ls-" + Guid.NewGuid().ToString("N")[..8];
        using (new RuncDevNullGuard())
        {
            ProcessResult run = Commands.Run(runtime, ["--root", root, "run", id], _bundle.Directory);
            Assert.That(run.ExitCode, Is.Zero, $"{runtime}: {run}");
            return [.. run.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(line => line.Split(' ', 9, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                .Where(fields => fields.Length == 9)
                .Select(fields => fields[0][0] + " " + fields[8])];
        }
    }

    [Test]
    public void Features_CgroupPartHasRuncsFieldsAndOnlyTheCgroupfsDriver()
    {
        ProcessResult runcs = Commands.Run(RuncsBinary.Path, ["features"]);
        ProcessResult runc = Commands.Run("runc", ["features"]);
        Assert.That(runcs.ExitCode, Is.Zero, runcs.ToString());
        Assert.That(runc.ExitCode, Is.Zero, runc.ToString());

        Oci.Runtime.Features parsed = Oci.Runtime.RuntimeSpecJson.ParseFeatures(System.Text.Encoding.UTF8.GetBytes(runcs.StandardOutput));
        JsonObject ours = JsonNode.Parse(runcs.StandardOutput)!["linux"]!["cgroup"]!.AsObject();
        JsonObject theirs = JsonNode.Parse(runc.StandardOutput)!["linux"]!["cgroup"]!.AsObject();
        Assert.Multiple(() =>
        {
            Assert.That(ours.Select(p => p.Key), Is.SupersetOf(theirs.Select(p => p.Key)));
            Assert.That(parsed.Linux!.Cgroup!.V1, Is.True);
            Assert.That(parsed.Linux.Cgroup.V2, Is.True);
            Assert.That(parsed.Linux.Cgroup.Systemd, Is.False, "--systemd-cgroup is refused");
            Assert.That(parsed.Linux.Namespaces, Does.Contain("cgroup"));
        });
    }

    /// <summary>Runs the bundle detached in a fresh cgroup and returns the cgroup and its <c>events --stats</c> data.</summary>
    private (ICgroupManager Cgroup, JsonObject Stats) Start(CgroupLayout layout, string runtime, string root)
    {
        string path = CgroupTestScope.NewPath(Path.GetFileName(runtime) + "-");
        ICgroupManager cgroup = _scope.Track(CgroupManager.Open(layout, path));
        _bundle.Config["linux"]!["cgroupsPath"] = path;
        _bundle.Save();
        string id = "cg-oracle-" + Guid.NewGuid().ToString("N")[..8];
        using (new RuncDevNullGuard())
        {
            ProcessResult run = Commands.Run(runtime, ["--root", root, "run", "-d", id], _bundle.Directory);
            Assert.That(run.ExitCode, Is.Zero, $"{runtime}: {run}");
            ProcessResult events = Commands.Run(runtime, ["--root", root, "events", "--stats", id], _bundle.Directory);
            Assert.That(events.ExitCode, Is.Zero, $"{runtime}: {events}");
            return (cgroup, JsonNode.Parse(events.StandardOutput)!["data"]!.AsObject());
        }
    }

    /// <summary>
    /// Every object field path down to the counters (memory.raw's keys are the kernel's, compared too);
    /// arrays and values are leaves.
    /// </summary>
    private static List<string> Fields(JsonObject data)
    {
        List<string> fields = [];
        void Walk(JsonObject node, string prefix)
        {
            foreach ((string key, JsonNode? value) in node)
            {
                fields.Add(prefix + key);
                if (value is JsonObject child)
                {
                    Walk(child, prefix + key + ".");
                }
            }
        }

        Walk(data, string.Empty);
        return fields;
    }
}
