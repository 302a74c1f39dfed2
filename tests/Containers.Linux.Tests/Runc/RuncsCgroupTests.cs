using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Containers.Linux.Cgroups;
using Containers.Linux.Tests.Cgroups;

namespace Containers.Linux.Tests.Runc;

/// <summary>
/// runcs with real cgroups: limits enforced on real containers (OOM, pids, cpu quota), pause and
/// resume, update, ps, kill --all, events, and no cgroup directory left behind in any hierarchy.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class RuncsCgroupTests
{
    private TestBundle _bundle = null!;
    private StateRoot _root = null!;
    private CgroupLayout _layout = null!;
    private string _cgroupPath = null!;
    private CgroupTestScope _scope = null!;
    private ICgroupManager _cgroup = null!;

    [SetUp]
    public void SetUp()
    {
        RootRequired.Check();
        _layout = CgroupLayout.Detect();
        _bundle = new TestBundle();
        _root = new StateRoot("runcs-cgroup");
        _scope = new CgroupTestScope();
        _cgroupPath = CgroupTestScope.NewPath("runcs-");
        _cgroup = _scope.Track(CgroupManager.Open(_layout, _cgroupPath));
        _bundle.Config["root"]!["readonly"] = false;
        _bundle.Config["linux"]!["cgroupsPath"] = _cgroupPath;
        _bundle.Config["mounts"]!.AsArray().Add(JsonNode.Parse("""
            { "destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": ["nosuid", "noexec", "nodev", "relatime", "ro"] }
            """));
        _bundle.Save();
    }

    [TearDown]
    public void TearDown()
    {
        _root?.Dispose();
        List<string>? leaked = _scope?.Cleanup();
        _bundle?.Dispose();
        Assert.That(leaked, Is.Null.Or.Empty, "cgroup directories left behind");
    }

    private ProcessResult Runcs(params string[] args)
        => Commands.Run(RuncsBinary.Path, ["--root", _root.Path, .. args], _bundle.Directory);

    private void Ok(params string[] args)
    {
        ProcessResult result = Runcs(args);
        Assert.That(result.ExitCode, Is.Zero, $"runcs {string.Join(' ', args)}: {result}");
    }

    private void WithResources(string json)
    {
        _bundle.Config["linux"]!["resources"] = JsonNode.Parse(json);
        _bundle.Save();
    }

    private string Dir(string controller) => _cgroup.Directories[_layout.Mode == CgroupMode.Unified ? string.Empty : controller];

    private string ReadCgroupFile(string controller, string file) => File.ReadAllText(Path.Combine(Dir(controller), file)).Trim();

    private string Status(string id) => (string)JsonNode.Parse(Runcs("state", id).StandardOutput)!["status"]!;

    private JsonObject Stats(string id)
    {
        ProcessResult events = Runcs("events", "--stats", id);
        Assert.That(events.ExitCode, Is.Zero, events.ToString());
        JsonObject line = JsonNode.Parse(events.StandardOutput)!.AsObject();
        Assert.That((string?)line["type"], Is.EqualTo("stats"));
        Assert.That((string?)line["id"], Is.EqualTo(id));
        return line["data"]!.AsObject();
    }

    private string HostFile(string name) => Path.Combine(_bundle.Rootfs, "tmp", name);

    private static void WaitUntil(Func<bool> condition, string what, int seconds = 30)
    {
        Stopwatch watch = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(seconds)), what);
            Thread.Sleep(20);
        }
    }

    private static long? ReadCounter(string file)
        => File.Exists(file) && long.TryParse(File.ReadAllText(file).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out long value) ? value : null;

    private bool IsV1 => _layout.Mode != CgroupMode.Unified;

    [Test]
    public void ContainerSeesItsOwnCgroupReadOnlyWithItsLimits()
    {
        WithResources("""{ "memory": { "limit": 67108864 }, "pids": { "limit": 33 } }""");
        string limitFile = IsV1 ? "/sys/fs/cgroup/memory/memory.limit_in_bytes" : "/sys/fs/cgroup/memory.max";
        string pidsFile = IsV1 ? "/sys/fs/cgroup/pids/pids.max" : "/sys/fs/cgroup/pids.max";
        _bundle.WithArgs("sh", "-c", $"cat /proc/self/cgroup; cat {limitFile} {pidsFile}; if mkdir {Path.GetDirectoryName(pidsFile)}/x 2>/dev/null; then echo writable; else echo readonly; fi");

        ProcessResult run = Runcs("run", "cg-view");

        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        Assert.That(run.StandardOutput, Does.Contain(":" + _cgroupPath + "\n"), "the init is in its cgroup");
        Assert.That(run.StandardOutput, Does.Contain("67108864\n33\nreadonly"));
        Assert.That(run.StandardError, Does.Not.Contain("not applied").And.Not.Contain("not mounted"));
    }

    [Test]
    public void Init_IsInTheContainersCgroupInEveryHierarchy()
    {
        // The child joins its cgroups itself (v1 tasks files, cgroup2 by CLONE_INTO_CGROUP): every line, the
        // named systemd hierarchy and the cgroup2 one included, names the container's cgroup.
        WithResources("""{ "pids": { "limit": 33 } }""");
        _bundle.WithArgs("cat", "/proc/self/cgroup");

        ProcessResult run = Runcs("run", "cg-every");

        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        string[] lines = run.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(File.ReadAllLines("/proc/self/cgroup").Length), run.StandardOutput);
        Assert.That(lines.Select(l => l[(l.IndexOf(':', l.IndexOf(':') + 1) + 1)..]), Is.All.EqualTo(_cgroupPath), run.StandardOutput);
    }

    [Test]
    public void V1CgroupTmpfs_IsReadOnlyAndItsBindsStayReadable()
    {
        if (!IsV1)
        {
            Assert.Ignore("the tmpfs with one bind per hierarchy is the v1/hybrid layout");
        }

        WithResources("""{ "pids": { "limit": 33 } }""");
        _bundle.WithArgs("sh", "-c", "touch /sys/fs/cgroup/x; echo touch=$?; mkdir /sys/fs/cgroup/y; echo mkdir=$?; cat /sys/fs/cgroup/pids/pids.max; grep ' /sys/fs/cgroup ' /proc/self/mounts");

        ProcessResult run = Runcs("run", "cg-tmpfs-ro");

        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        Assert.Multiple(() =>
        {
            Assert.That(run.StandardOutput, Does.Contain("touch=1\nmkdir=1\n33\n"), run.ToString());
            Assert.That(run.StandardError, Does.Contain("/sys/fs/cgroup/x: Read-only file system"), run.StandardError);
            Assert.That(run.StandardError, Does.Contain("'/sys/fs/cgroup/y': Read-only file system"), run.StandardError);
            string tmpfs = run.StandardOutput.Split('\n').Single(l => l.StartsWith("tmpfs /sys/fs/cgroup ", StringComparison.Ordinal));
            Assert.That(tmpfs.Split(' ')[3].Split(','), Is.SupersetOf(new[] { "ro", "nosuid", "nodev", "noexec" }), "the remount keeps nosuid, nodev and noexec");
        });
        Assert.That(File.Exists(Path.Combine(_bundle.Rootfs, "sys/fs/cgroup/x")), Is.False);
    }

    [Test]
    public void V1CgroupTmpfs_InOwnCgroupNamespaceWithoutRo_StaysWritable()
    {
        if (!IsV1)
        {
            Assert.Ignore("the tmpfs with one bind per hierarchy is the v1/hybrid layout");
        }

        _bundle.Config["linux"]!["namespaces"]!.AsArray().Add(JsonNode.Parse("""{ "type": "cgroup" }"""));
        JsonObject cgroupMount = _bundle.Config["mounts"]!.AsArray().Single(m => (string?)m!["type"] == "cgroup")!.AsObject();
        cgroupMount["options"] = JsonNode.Parse("""["nosuid", "noexec", "nodev", "relatime"]""");
        _bundle.WithArgs("sh", "-c", "touch /sys/fs/cgroup/x && echo touched");

        ProcessResult run = Runcs("run", "cg-tmpfs-rw");

        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        Assert.That(run.StandardOutput, Does.Contain("touched"));
    }

    [Test]
    public void OwnCgroupNamespace_IsRootedAtTheContainersCgroup()
    {
        _bundle.Config["linux"]!["namespaces"]!.AsArray().Add(JsonNode.Parse("""{ "type": "cgroup" }"""));
        _bundle.WithArgs("cat", "/proc/self/cgroup");

        ProcessResult run = Runcs("run", "cg-ns");

        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        string[] lines = run.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Is.Not.Empty);
        Assert.That(lines.Select(l => l[(l.LastIndexOf(':') + 1)..]), Is.All.EqualTo("/"), run.StandardOutput);
    }

    [Test]
    public void MemoryLimitExceeded_IsOomKilledAndEventsReportsIt()
    {
        WithResources("""{ "memory": { "limit": 33554432, "swap": 33554432 } }""");
        _bundle.WithArgs("sh", "-c", "while [ ! -e /tmp/go ]; do sleep 0.05; done; dd if=/dev/zero of=/dev/null bs=128M count=1; echo dd=$? > /tmp/dd");
        Ok("run", "-d", "cg-oom");

        using Process events = Commands.Start(RuncsBinary.Path, "--root", _root.Path, "events", "--interval", "100ms", "cg-oom");
        try
        {
            // The first stats line means the OOM watch is registered (it is set up before the first tick).
            Task<string?> first = events.StandardOutput.ReadLineAsync();
            Assert.That(first.Wait(TimeSpan.FromSeconds(30)), Is.True, "no stats event");
            Assert.That(first.Result, Does.StartWith("{\"type\":\"stats\",\"id\":\"cg-oom\",\"data\":{"));
            File.WriteAllText(HostFile("go"), string.Empty);

            Assert.That(events.WaitForExit(60_000), Is.True, "events did not end with the container");
            string rest = events.StandardOutput.ReadToEnd();
            Assert.That(rest, Does.Contain("{\"type\":\"oom\",\"id\":\"cg-oom\"}\n"), rest + events.StandardError.ReadToEnd());
            Assert.That(events.ExitCode, Is.Zero);
        }
        finally
        {
            if (!events.HasExited)
            {
                events.Kill();
            }
        }

        Assert.That(File.ReadAllText(HostFile("dd")).Trim(), Is.EqualTo("dd=137"), "dd was SIGKILLed by the OOM killer");
        Assert.That(_cgroup.GetOomKillCount(), Is.GreaterThanOrEqualTo(1UL));
        Ok("delete", "cg-oom");
    }

    [Test]
    public void ForkBomb_StopsAtThePidsLimit()
    {
        WithResources("""{ "pids": { "limit": 16 } }""");

        // The init forks the bomb and then execs (no fork needed), so it outlives the bomb's failures.
        _bundle.WithArgs("sh", "-c", "b() { b | b & }; b 2>/dev/null; exec sleep 1000");
        Ok("run", "-d", "cg-bomb");

        WaitUntil(() => ReadCgroupFile("pids", "pids.events").Contains("max ", StringComparison.Ordinal) && ReadCgroupFile("pids", "pids.events") != "max 0", "the bomb never hit the limit");
        JsonObject stats = Stats("cg-bomb");

        Assert.Multiple(() =>
        {
            Assert.That(ulong.Parse(ReadCgroupFile("pids", "pids.current"), CultureInfo.InvariantCulture), Is.LessThanOrEqualTo(16UL));
            Assert.That((ulong)stats["pids"]!["limit"]!, Is.EqualTo(16UL));
            Assert.That((ulong)stats["pids"]!["current"]!, Is.LessThanOrEqualTo(16UL));
            Assert.That(Status("cg-bomb"), Is.EqualTo("running"));
        });
        Ok("delete", "--force", "cg-bomb");
    }

    [Test]
    public void CpuQuota_CapsABusyLoop()
    {
        // 0.2 of one cpu. An uncapped busy loop would use about a whole one.
        WithResources("""{ "cpu": { "quota": 20000, "period": 100000 } }""");
        _bundle.WithArgs("sh", "-c", "while :; do :; done");
        Ok("run", "-d", "cg-cpu");

        JsonObject before = Stats("cg-cpu");
        Stopwatch wall = Stopwatch.StartNew();
        Thread.Sleep(2000);
        JsonObject after = Stats("cg-cpu");
        wall.Stop();

        double used = (ulong)after["cpu"]!["usage"]!["total"]! - (double)(ulong)before["cpu"]!["usage"]!["total"]!;
        double share = used / (wall.Elapsed.TotalMilliseconds * 1_000_000);
        TestContext.Out.WriteLine($"busy loop used {share:P1} of one cpu under a 20% quota");
        Assert.Multiple(() =>
        {
            Assert.That(share, Is.LessThan(0.5), "the quota did not cap the loop");
            Assert.That(share, Is.GreaterThan(0.0), "the loop did not run");
            Assert.That((ulong?)after["cpu"]!["throttling"]!["throttledPeriods"] ?? 0, Is.GreaterThan(0UL), "no throttled periods");
        });
        Ok("delete", "--force", "cg-cpu");
    }

    [Test]
    public void Pause_FreezesACounter_ResumeContinuesIt()
    {
        _bundle.WithArgs("sh", "-c", "i=0; while :; do i=$((i+1)); echo $i > /tmp/count.new; mv /tmp/count.new /tmp/count; done");
        Ok("run", "-d", "cg-pause");
        string counter = HostFile("count");
        WaitUntil(() => ReadCounter(counter) > 10, "the counter never ran");

        Ok("pause", "cg-pause");
        Assert.That(Status("cg-pause"), Is.EqualTo("paused"));
        long? frozen = ReadCounter(counter);
        Thread.Sleep(300);
        Assert.That(ReadCounter(counter), Is.EqualTo(frozen), "the counter moved while paused");
        Assert.That(Runcs("pause", "cg-pause").ExitCode, Is.Not.Zero, "pausing twice");

        Ok("resume", "cg-pause");
        Assert.That(Status("cg-pause"), Is.EqualTo("running"));
        WaitUntil(() => ReadCounter(counter) > frozen, "the counter did not continue after resume");
        ProcessResult again = Runcs("resume", "cg-pause");
        Assert.That(again.StandardError, Does.Contain("not paused"));

        Ok("pause", "cg-pause");
        Assert.That(Runcs("delete", "cg-pause").ExitCode, Is.Not.Zero, "a paused container is not stopped");
        Ok("delete", "--force", "cg-pause");
        Assert.That(_cgroup.Exists(), Is.False);
    }

    [Test]
    public void Update_ChangesTheLimitsOfARunningContainer()
    {
        WithResources("""{ "memory": { "limit": 67108864 }, "pids": { "limit": 100 }, "cpu": { "shares": 1024 } }""");
        _bundle.WithArgs("sleep", "1000");
        Ok("run", "-d", "cg-update");

        Ok("update", "--memory", "96m", "--memory-swap", "192m", "--pids-limit", "50", "--cpu-quota", "30000", "--cpu-period", "100000", "--cpu-share", "512", "cg-update");
        string resources = Path.Combine(_bundle.Directory, "resources.json");
        File.WriteAllText(resources, """{ "pids": { "limit": 42 }, "memory": { "reservation": 33554432 } }""");
        Ok("update", "-r", resources, "cg-update");

        JsonObject stats = Stats("cg-update");
        Assert.Multiple(() =>
        {
            if (IsV1)
            {
                Assert.That(ReadCgroupFile("memory", "memory.limit_in_bytes"), Is.EqualTo("100663296"));
                Assert.That(ReadCgroupFile("memory", "memory.memsw.limit_in_bytes"), Is.EqualTo("201326592"));
                Assert.That(ReadCgroupFile("memory", "memory.soft_limit_in_bytes"), Is.EqualTo("33554432"));
                Assert.That(ReadCgroupFile("cpu", "cpu.cfs_quota_us"), Is.EqualTo("30000"));
                Assert.That(ReadCgroupFile("cpu", "cpu.shares"), Is.EqualTo("512"));
            }
            else
            {
                Assert.That(ReadCgroupFile(string.Empty, "memory.max"), Is.EqualTo("100663296"));
                Assert.That(ReadCgroupFile(string.Empty, "cpu.max"), Is.EqualTo("30000 100000"));
            }

            Assert.That(ReadCgroupFile("pids", "pids.max"), Is.EqualTo("42"));
            Assert.That((ulong)stats["memory"]!["usage"]!["limit"]!, Is.EqualTo(100663296UL));
            Assert.That((ulong)stats["pids"]!["limit"]!, Is.EqualTo(42UL));
        });

        // Bad input: a clear error naming the field, and nothing changed.
        File.WriteAllText(resources, """{ "pids": { "limit": 7 }, "unified": { "no.such-key": "1" } }""");
        ProcessResult bad = Runcs("update", "-r", resources, "cg-update");
        Assert.That(bad.ExitCode, Is.Not.Zero);
        Assert.That(bad.StandardError, Does.Contain("unified"));
        ProcessResult badSize = Runcs("update", "--memory", "lots", "cg-update");
        Assert.That(badSize.StandardError, Does.Contain("--memory"));
        Assert.That(ReadCgroupFile("pids", "pids.max"), Is.EqualTo("42"), "a refused update changed a limit");
        Ok("delete", "--force", "cg-update");
    }

    [Test]
    public void Update_OfOneField_KeepsTheOthersAndRecordsThemAll()
    {
        WithResources("""{ "memory": { "limit": 67108864 }, "pids": { "limit": 100 } }""");
        _bundle.WithArgs("sleep", "1000");
        Ok("run", "-d", "cg-update-merge");

        Ok("update", "--memory", "96m", "cg-update-merge");
        Ok("update", "--pids-limit", "50", "cg-update-merge");

        JsonObject recorded = JsonNode.Parse(File.ReadAllText(Path.Combine(_root.Path, "cg-update-merge", "state.json")))!["resources"]!.AsObject();
        Assert.Multiple(() =>
        {
            Assert.That(ReadCgroupFile("memory", IsV1 ? "memory.limit_in_bytes" : "memory.max"), Is.EqualTo("100663296"));
            Assert.That(ReadCgroupFile("pids", "pids.max"), Is.EqualTo("50"));
            Assert.That((long?)recorded["memory"]?["limit"], Is.EqualTo(100663296L), recorded.ToJsonString());
            Assert.That((long?)recorded["pids"]?["limit"], Is.EqualTo(50L), recorded.ToJsonString());
            Assert.That(recorded["devices"]?.AsArray(), Is.Not.Null.And.Not.Empty, "the spec's device rules stay recorded");
        });

        // A refused update leaves the record as it was.
        Assert.That(Runcs("update", "--memory", "lots", "cg-update-merge").ExitCode, Is.Not.Zero);
        JsonObject after = JsonNode.Parse(File.ReadAllText(Path.Combine(_root.Path, "cg-update-merge", "state.json")))!["resources"]!.AsObject();
        Assert.That(after.ToJsonString(), Is.EqualTo(recorded.ToJsonString()));
        Ok("delete", "--force", "cg-update-merge");
    }

    [Test]
    public void Ps_ListsTheContainersProcesses()
    {
        _bundle.WithArgs("sh", "-c", "sleep 1001 & sleep 1002 & wait");
        Ok("run", "-d", "cg-ps");
        WaitUntil(() => _cgroup.GetPids().Count == 3, "three processes");

        ProcessResult json = Runcs("ps", "--format", "json", "cg-ps");
        ProcessResult table = Runcs("ps", "cg-ps");

        Assert.That(json.ExitCode, Is.Zero, json.ToString());
        int[] pids = JsonNode.Parse(json.StandardOutput)!.AsArray().Select(p => (int)p!).ToArray();
        Assert.That(pids, Is.EquivalentTo(_cgroup.GetPids()));
        Assert.That(table.ExitCode, Is.Zero, table.ToString());
        string[] lines = table.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines[0], Does.Contain("PID").And.Contain("CMD"));
        Assert.That(lines, Has.Length.EqualTo(4), table.StandardOutput);
        Assert.That(lines.Count(l => l.EndsWith(" sleep 1001", StringComparison.Ordinal) || l.EndsWith(" sleep 1002", StringComparison.Ordinal)), Is.EqualTo(2), table.StandardOutput);
        Ok("delete", "--force", "cg-ps");
    }

    [Test]
    public void KillAll_ReachesProcessesTheInitLeftBehind()
    {
        // Without a pid namespace the init's children outlive it: only the cgroup still finds them.
        JsonArray namespaces = _bundle.Config["linux"]!["namespaces"]!.AsArray();
        namespaces.Remove(namespaces.Single(n => (string?)n!["type"] == "pid"));
        _bundle.WithArgs("sh", "-c", "sleep 1001 & sleep 1002 & exec sleep 1000");
        Ok("run", "-d", "cg-killall");
        WaitUntil(() => _cgroup.GetPids().Count == 3, "three processes");

        Ok("kill", "cg-killall", "KILL");
        WaitUntil(() => Status("cg-killall") == "stopped", "the init did not die");
        Assert.That(_cgroup.GetPids(), Has.Count.EqualTo(2), "the children outlive the init");

        Ok("kill", "--all", "cg-killall", "KILL");
        WaitUntil(() => _cgroup.GetPids().Count == 0, "kill --all left processes");
        Ok("delete", "cg-killall");
        Assert.That(_cgroup.Exists(), Is.False);
    }

    [Test]
    public void NoCgroupDirectoryIsLeftInAnyHierarchy()
    {
        _bundle.WithArgs("true");
        Ok("run", "cg-leak-run");
        Assert.That(LeftDirectories(), Is.Empty, "after run");

        _bundle.WithArgs("sleep", "1000");
        Ok("create", "cg-leak-create");
        Assert.That(_cgroup.Exists(), Is.True);
        Ok("delete", "cg-leak-create");
        Assert.That(LeftDirectories(), Is.Empty, "after create + delete");

        Ok("run", "-d", "cg-leak-force");
        Ok("delete", "--force", "cg-leak-force");
        Assert.That(LeftDirectories(), Is.Empty, "after delete --force");

        _bundle.WithArgs("/no/such/program");
        Assert.That(Runcs("run", "cg-leak-fail").ExitCode, Is.Not.Zero);
        Assert.That(LeftDirectories(), Is.Empty, "after a failed start");

        _bundle.Config["linux"]!["resources"] = JsonNode.Parse("""{ "memory": { "limit": -5 } }""");
        _bundle.WithArgs("true");
        ProcessResult bad = Runcs("run", "cg-leak-bad");
        Assert.That(bad.ExitCode, Is.Not.Zero);
        Assert.That(bad.StandardError, Does.Contain("memory"));
        Assert.That(LeftDirectories(), Is.Empty, "after refused resources");
        Assert.That(_root.Containers, Is.Empty);
    }

    [Test]
    public void SystemdCgroupDriver_IsRefusedClearly()
    {
        _bundle.WithArgs("true");
        ProcessResult result = Commands.Run(RuncsBinary.Path, ["--root", _root.Path, "--systemd-cgroup", "run", "cg-systemd"], _bundle.Directory);

        Assert.That(result.ExitCode, Is.EqualTo(1));
        Assert.That(result.StandardError, Does.Contain("--systemd-cgroup"));
        Assert.That(result.StandardError, Does.Contain("cgroupfs").And.Contain("D-Bus"), "says why: only the cgroupfs driver exists");
        if (!Directory.Exists("/run/systemd/system"))
        {
            Assert.That(result.StandardError, Does.Contain("not running systemd"), "says the host has no systemd either");
        }

        Assert.That(LeftDirectories(), Is.Empty);
    }

    /// <summary>The container's directory in every hierarchy of the host (each v1 mount and cgroup2).</summary>
    private List<string> LeftDirectories()
        => [.. _layout.V1MountPoints.Values.Append(_layout.UnifiedMountPoint).OfType<string>().Distinct()
            .Select(mount => CgroupPath.Join(mount, _cgroupPath)).Where(Directory.Exists)];
}
