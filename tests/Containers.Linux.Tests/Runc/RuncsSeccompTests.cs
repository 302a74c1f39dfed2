using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Containers.Linux.Tests.Seccomp;

namespace Containers.Linux.Tests.Runc;

/// <summary>
/// runcs installs linux.seccomp in the container's init: Docker's default profile in a busybox container, the
/// SCMP_ACT_NOTIFY hand-off to an agent, runc's install order, and profiles refused before anything exists.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class RuncsSeccompTests
{
    private static readonly string[] SysAdmin = ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_SYS_ADMIN"];
    private TestBundle _bundle = null!;
    private StateRoot _root = null!;

    [SetUp]
    public async Task SetUp()
    {
        RootRequired.Check();
        _bundle = new TestBundle();
        _root = new StateRoot("runcs-seccomp");
        string harness = await SeccompHarness.PathAsync();
        if (!SeccompHarness.IsStatic)
        {
            Assert.Ignore("no libc.a (libc6-dev): the harness cannot be linked statically for the busybox rootfs");
        }

        File.Copy(harness, Path.Combine(_bundle.Rootfs, "harness"));
        File.SetUnixFileMode(Path.Combine(_bundle.Rootfs, "harness"), (UnixFileMode)0b111_101_101);
    }

    [TearDown]
    public void TearDown()
    {
        _root?.Dispose();
        _bundle?.Dispose();
    }

    private ProcessResult Runcs(params string[] args)
        => Commands.Run(RuncsBinary.Path, ["--root", _root.Path, .. args], _bundle.Directory);

    /// <summary>Container state directories (the compiled-program cache is not a container).</summary>
    private string[] ContainerDirectories => [.. _root.Containers.Where(d => !Path.GetFileName(d).StartsWith('@'))];

    private static JsonNode DockerDefault()
        => JsonNode.Parse(File.ReadAllText(SeccompTestData.PathOf("docker-default-amd64.oci.json")))!;

    private void SetSeccomp(JsonNode? seccomp)
    {
        JsonObject linux = _bundle.Config["linux"]!.AsObject();
        linux.Remove("seccomp");
        if (seccomp is not null)
        {
            linux["seccomp"] = seccomp;
        }
    }

    private void GrantCapabilities(string[] caps)
    {
        JsonObject capabilities = _bundle.Process["capabilities"]!.AsObject();
        foreach (string set in new[] { "bounding", "effective", "permitted" })
        {
            capabilities[set] = new JsonArray([.. caps.Select(c => (JsonNode)JsonValue.Create(c))]);
        }

        capabilities.Remove("ambient");
    }

    private const string Privileged = "mount -t tmpfs none /tmp; echo mount=$?; unshare -m true; echo unshare-mount=$?; unshare -U true; echo unshare-user=$?; " +
        "/harness 0xfa:0 0xf8:0 0x110:0x20000000; grep '^Seccomp:' /proc/self/status";

    [Test]
    public void Docker_default_profile_denies_mount_unshare_and_keyrings_that_the_kernel_alone_would_allow()
    {
        // CAP_SYS_ADMIN in the container: without the filter the kernel lets all of these through, so an EPERM
        // with the profile is the filter's doing. Docker's profile for its default capabilities denies them.
        GrantCapabilities(SysAdmin);
        SetSeccomp(null);
        _bundle.WithArgs("sh", "-c", Privileged);
        ProcessResult without = Runcs("run", "unfiltered");

        SetSeccomp(DockerDefault());
        _bundle.WithArgs("sh", "-c", Privileged);
        ProcessResult with = Runcs("run", "docker-default");

        TestContext.Out.WriteLine($"without a filter:\n{without.StandardOutput}{without.StandardError}\nwith Docker's profile:\n{with.StandardOutput}{with.StandardError}");
        Assert.That(without.ExitCode, Is.Zero, without.ToString());
        Assert.That(without.StandardOutput, Does.Contain("mount=0\nunshare-mount=0\nunshare-user=0\n"));
        Assert.That(without.StandardOutput, Does.Contain("Seccomp:\t0"));
        Assert.That(without.StandardOutput, Does.Not.Contain("ERRNO 1\n"));

        Assert.That(with.ExitCode, Is.Zero, with.ToString());
        Assert.That(with.StandardOutput, Does.Contain("mount=1\nunshare-mount=1\nunshare-user=1\n"));
        Assert.That(with.StandardError, Does.Contain("mount: permission denied")); // busybox's words for EPERM
        Assert.That(with.StandardError, Does.Contain("unshare(0x20000): Operation not permitted"));
        Assert.That(with.StandardError, Does.Contain("unshare(0x10000000): Operation not permitted"));

        // keyctl, add_key and unshare(CLONE_NEWUSER) as raw calls: EPERM from the filter.
        Assert.That(with.StandardOutput, Does.Contain("0 ERRNO 1\n1 ERRNO 1\n2 ERRNO 1\n"));
        Assert.That(with.StandardOutput, Does.Contain("Seccomp:\t2"));
    }

    [Test]
    public void Ordinary_busybox_commands_behave_the_same_under_Docker_default_profile()
    {
        const string Script = "echo hello | sed s/hello/world/; ls / | sort | head -3; id; cd /dev/shm && echo data > f && cat f && rm f; " +
            "sha256sum /bin/busybox | cut -c1-16; ps -o pid,comm; awk 'BEGIN { print 6 * 7 }'; date +%Y >/dev/null && echo date; " +
            "find /proc/self -maxdepth 0; sleep 0.1 & wait; echo waited; wc -l < /proc/self/mountinfo >/dev/null && echo counted; uname -s; hostname";
        SetSeccomp(null);
        _bundle.WithArgs("sh", "-c", Script);
        ProcessResult without = Runcs("run", "plain");

        SetSeccomp(DockerDefault());
        _bundle.WithArgs("sh", "-c", Script);
        ProcessResult with = Runcs("run", "filtered");

        Assert.That(without.ExitCode, Is.Zero, without.ToString());
        Assert.That(with.ExitCode, Is.Zero, with.ToString());
        Assert.That(with.StandardError, Does.Not.Contain("not permitted"));
        Assert.That(with.StandardOutput, Does.StartWith("world\n"));
        Assert.That(with.StandardOutput, Does.Contain("\n42\ndate\n/proc/self\nwaited\ncounted\nLinux\nruncs-test\n"));
        Assert.That(with.StandardOutput, Is.EqualTo(without.StandardOutput));
    }

    private static JsonNode NotifyProfile(string listenerPath) => JsonNode.Parse($$"""
        {
          "defaultAction": "SCMP_ACT_ALLOW",
          "flags": ["SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"],
          "listenerPath": "{{listenerPath}}",
          "listenerMetadata": "agent-metadata",
          "syscalls": [ { "names": ["getppid"], "action": "SCMP_ACT_NOTIFY", "args": [ { "index": 0, "value": 24268, "op": "SCMP_CMP_EQ" } ] } ]
        }
        """)!;

    [Test]
    public void Notify_hands_the_fd_and_the_state_to_the_agent_which_answers_the_call()
    {
        using SeccompTestAgent agent = new();
        SetSeccomp(NotifyProfile(agent.Path));
        _bundle.Config["annotations"] = new JsonObject { ["org.example/purpose"] = "notify-test" };
        _bundle.WithArgs("/harness", "0x6e:0x5ecc", "0x6e:0x5ecd");
        string pidFile = Path.Combine(_bundle.Directory, "notify.pid");

        Task<(string StateJson, int NotifyFd)> accepted = agent.AcceptAsync(TimeSpan.FromSeconds(60));
        Task<ProcessResult> run = Task.Run(() => Runcs("run", "--pid-file", pidFile, "notified"));
        (string stateJson, int notifyFd) = accepted.GetAwaiter().GetResult();
        SeccompTestAgent.Notification notification;
        try
        {
            notification = SeccompTestAgent.AnswerOne(notifyFd, 77, TimeSpan.FromSeconds(60));
        }
        finally
        {
            Interop.Seccomp.Close(notifyFd);
        }

        ProcessResult result = run.GetAwaiter().GetResult();
        TestContext.Out.WriteLine(stateJson);

        // The agent's answer is what the call returned; the other argument value was not notified.
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.StandardOutput, Is.EqualTo("0 ERRNO 77\n1 OK\n"), result.ToString());
        Assert.That((notification.Nr, notification.Arg0), Is.EqualTo((110, 0x5eccUL)));

        int pid = int.Parse(File.ReadAllText(pidFile), CultureInfo.InvariantCulture);
        using JsonDocument state = JsonDocument.Parse(stateJson);
        JsonElement root = state.RootElement;
        Assert.That(root.GetProperty("ociVersion").GetString(), Is.EqualTo((string?)_bundle.Config["ociVersion"]));
        Assert.That(root.GetProperty("fds").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { "seccompFd" }));
        Assert.That(root.GetProperty("pid").GetInt32(), Is.EqualTo(pid));
        Assert.That(root.GetProperty("metadata").GetString(), Is.EqualTo("agent-metadata"));
        JsonElement container = root.GetProperty("state");
        Assert.That(container.GetProperty("id").GetString(), Is.EqualTo("notified"));
        Assert.That(container.GetProperty("status").GetString(), Is.EqualTo("creating"));
        Assert.That(container.GetProperty("pid").GetInt32(), Is.EqualTo(pid));
        Assert.That(container.GetProperty("bundle").GetString(), Is.EqualTo(_bundle.Directory));
        Assert.That(container.GetProperty("annotations").GetProperty("org.example/purpose").GetString(), Is.EqualTo("notify-test"));
    }

    [Test]
    public void Notify_with_create_and_start_the_fd_is_sent_during_create_and_answered_after_start()
    {
        using SeccompTestAgent agent = new();
        string output = Path.Combine(_bundle.Directory, "out");
        Directory.CreateDirectory(output);
        _bundle.Config["mounts"]!.AsArray().Add(new JsonObject { ["destination"] = "/out", ["type"] = "bind", ["source"] = output, ["options"] = new JsonArray("rbind", "rw") });
        SetSeccomp(NotifyProfile(agent.Path));
        _bundle.WithArgs("sh", "-c", "/harness 0x6e:0x5ecc > /out/result.tmp; mv /out/result.tmp /out/result");

        Task<(string StateJson, int NotifyFd)> accepted = agent.AcceptAsync(TimeSpan.FromSeconds(60));
        ProcessResult create = Runcs("create", "notify-created");
        Assert.That(create.ExitCode, Is.Zero, create.ToString());

        // runcs create has exited: the fd and state were sent during create, as runc sends them.
        (string stateJson, int notifyFd) = accepted.GetAwaiter().GetResult();
        try
        {
            Assert.That((string?)JsonNode.Parse(stateJson)!["state"]!["status"], Is.EqualTo("creating"));
            Assert.That(Runcs("start", "notify-created").ExitCode, Is.Zero);
            SeccompTestAgent.Notification notification = SeccompTestAgent.AnswerOne(notifyFd, 42, TimeSpan.FromSeconds(60));
            Assert.That(notification.Nr, Is.EqualTo(110));
        }
        finally
        {
            Interop.Seccomp.Close(notifyFd);
        }

        string result = Path.Combine(output, "result");
        DateTime deadline = DateTime.UtcNow.AddSeconds(20);
        while (!File.Exists(result) && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(20);
        }

        Assert.That(File.ReadAllText(result), Is.EqualTo("0 ERRNO 42\n"));
    }

    [Test]
    public void Notify_without_a_reachable_agent_fails_create_and_leaves_nothing()
    {
        string missing = Path.Combine(Path.GetTempPath(), "scmp-nobody-" + Guid.NewGuid().ToString("N")[..12] + ".sock");
        SetSeccomp(JsonNode.Parse($$"""
            { "defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "{{missing}}",
              "syscalls": [ { "names": ["getppid"], "action": "SCMP_ACT_NOTIFY" } ] }
            """));
        _bundle.WithArgs("true");

        ProcessResult create = Runcs("create", "no-agent");

        Assert.That(create.ExitCode, Is.EqualTo(1), create.ToString());
        Assert.That(create.StandardError, Does.Contain("SeccompNotify").And.Contain(missing).And.Contain("No such file or directory"));
        Assert.That(ContainerDirectories, Is.Empty);
        Assert.That(Runcs("list", "-q").StandardOutput, Is.Empty);
    }

    private static IEnumerable<TestCaseData> BadProfiles()
    {
        const string Allow = "{ \"names\": [\"getpid\"], \"action\": \"SCMP_ACT_ALLOW\" }";
        yield return new TestCaseData($$"""{ "defaultAction": "SCMP_ACT_ERRNO", "syscalls": [ {{Allow}}, { "names": ["read"], "action": "SCMP_ACT_EXPLODE" } ] }""",
            "linux.seccomp.syscalls[1].action: unknown seccomp action \"SCMP_ACT_EXPLODE\"").SetName("unknown action");
        yield return new TestCaseData($$"""{ "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [ {{Allow}}, {{Allow}}, { "names": ["read"], "action": "SCMP_ACT_ERRNO", "args": [ { "index": 0, "value": 1, "op": "SCMP_CMP_ABOUT" } ] } ] }""",
            "linux.seccomp.syscalls[2].args[0].op: unknown seccomp operator \"SCMP_CMP_ABOUT\"").SetName("bad operator");
        yield return new TestCaseData("""{ "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [ { "names": ["read"], "action": "SCMP_ACT_ERRNO", "args": [ { "index": 6, "value": 1, "op": "SCMP_CMP_EQ" } ] } ] }""",
            "linux.seccomp.syscalls[0].args[0].index: argument index 6 is greater than 5").SetName("argument index 6");
        yield return new TestCaseData("""{ "defaultAction": "SCMP_ACT_ERRNO", "syscalls": [ { "names": ["read"], "action": "SCMP_ACT_ALLOW", "errnoRet": 5 } ] }""",
            "linux.seccomp.syscalls[0].errnoRet: errnoRet is only allowed with SCMP_ACT_ERRNO or SCMP_ACT_TRACE").SetName("errnoRet without ERRNO");
        yield return new TestCaseData("""{ "defaultAction": "SCMP_ACT_ALLOW", "listenerPath": "/run/agent.sock", "syscalls": [ { "names": ["getpid", "write"], "action": "SCMP_ACT_NOTIFY" } ] }""",
            "linux.seccomp.syscalls[0].names[1]: SCMP_ACT_NOTIFY cannot be used for write").SetName("notify on write");
        yield return new TestCaseData("""{ "defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"], "syscalls": [] }""",
            "linux.seccomp.flags[1]: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV needs a rule with SCMP_ACT_NOTIFY").SetName("wait-killable without notify");
        yield return new TestCaseData("""{ "defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_SOMETIMES"] }""",
            "linux.seccomp.flags[0]: unknown seccomp flag \"SECCOMP_FILTER_FLAG_SOMETIMES\"").SetName("unknown flag");
    }

    [TestCaseSource(nameof(BadProfiles))]
    public void Bad_profile_fails_create_naming_the_rule_and_leaves_no_state(string profile, string message)
    {
        SetSeccomp(JsonNode.Parse(profile));
        _bundle.WithArgs("true");

        ProcessResult create = Runcs("create", "bad-profile");

        Assert.That(create.ExitCode, Is.EqualTo(1), create.ToString());
        Assert.That(create.StandardError, Does.Contain(message));
        Assert.That(ContainerDirectories, Is.Empty);
        Assert.That(Runcs("state", "bad-profile").ExitCode, Is.EqualTo(1));
    }

    [TestCase(false, "Capset")]
    [TestCase(true, null)]
    public void Without_no_new_privileges_the_filter_goes_in_before_capabilities_as_in_runc(bool noNewPrivileges, string? failedStep)
    {
        // A profile that denies capset: only an init that installs the filter before setting its capabilities
        // (runc's order without no_new_privs, where seccomp needs CAP_SYS_ADMIN) trips over it.
        _bundle.Process["noNewPrivileges"] = noNewPrivileges;
        SetSeccomp(JsonNode.Parse("""{ "defaultAction": "SCMP_ACT_ALLOW", "syscalls": [ { "names": ["capset"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13 } ] }"""));
        _bundle.WithArgs("sh", "-c", "grep -E '^(NoNewPrivs|Seccomp):' /proc/self/status");

        ProcessResult run = Runcs("run", "order");

        if (failedStep is null)
        {
            Assert.That(run.ExitCode, Is.Zero, run.ToString());
            Assert.That(run.StandardOutput, Is.EqualTo("NoNewPrivs:\t1\nSeccomp:\t2\n"));
        }
        else
        {
            Assert.That(run.ExitCode, Is.EqualTo(1), run.ToString());
            Assert.That(run.StandardError, Does.Contain($"container setup failed at {failedStep}").And.Contain("Permission denied"));
            Assert.That(ContainerDirectories, Is.Empty);
        }
    }

    [Test]
    public void Without_no_new_privileges_a_profile_that_allows_the_setup_runs()
    {
        _bundle.Process["noNewPrivileges"] = false;
        SetSeccomp(DockerDefault());
        _bundle.WithArgs("sh", "-c", "grep -E '^(NoNewPrivs|Seccomp):' /proc/self/status; /harness 0xfa:0");

        ProcessResult run = Runcs("run", "privileged-install");

        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        Assert.That(run.StandardOutput, Is.EqualTo("NoNewPrivs:\t0\nSeccomp:\t2\n0 ERRNO 1\n"));
    }

    [Test]
    public void Create_installs_the_filter_before_the_start_wait_and_start_runs_under_it()
    {
        // The init waits on the exec fifo with the filter already in (runc's order), so the wait itself
        // (open, write) runs under Docker's profile.
        string output = Path.Combine(_bundle.Directory, "out");
        Directory.CreateDirectory(output);
        _bundle.Config["mounts"]!.AsArray().Add(new JsonObject { ["destination"] = "/out", ["type"] = "bind", ["source"] = output, ["options"] = new JsonArray("rbind", "rw") });
        SetSeccomp(DockerDefault());
        _bundle.WithArgs("sh", "-c", "/harness 0xfa:0 0x27 > /out/result; grep '^Seccomp:' /proc/self/status >> /out/result");

        ProcessResult create = Runcs("create", "created-filtered");
        Assert.That(create.ExitCode, Is.Zero, create.ToString());
        int pid = (int)JsonNode.Parse(Runcs("state", "created-filtered").StandardOutput)!["pid"]!;
        string status = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/status");
        Assert.That(status, Does.Contain("Seccomp:\t2"), "the filter is installed at create time");
        Assert.That(File.Exists(Path.Combine(output, "result")), Is.False);

        ProcessResult start = Runcs("start", "created-filtered");
        Assert.That(start.ExitCode, Is.Zero, start.ToString());
        DateTime deadline = DateTime.UtcNow.AddSeconds(20);
        while (!(File.Exists(Path.Combine(output, "result")) && File.ReadAllText(Path.Combine(output, "result")).Contains("Seccomp", StringComparison.Ordinal)) && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(20);
        }

        Assert.That(File.ReadAllText(Path.Combine(output, "result")), Is.EqualTo("0 ERRNO 1\n1 OK\nSeccomp:\t2\n"));
    }

    [Test]
    public void Profile_flags_go_to_seccomp_and_the_filter_acts()
    {
        SetSeccomp(JsonNode.Parse("""
            { "defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"],
              "syscalls": [ { "names": ["getpid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 5 }, { "names": ["getppid"], "action": "SCMP_ACT_LOG" } ] }
            """));
        _bundle.WithArgs("/harness", "0x27", "0x6e", "0x66");

        ProcessResult run = Runcs("run", "flags");

        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        Assert.That(run.StandardOutput, Is.EqualTo("0 ERRNO 5\n1 OK\n2 OK\n"));
    }

    [Test]
    public void The_compiled_program_is_cached_under_the_state_root()
    {
        SetSeccomp(DockerDefault());
        _bundle.WithArgs("true");

        Assert.That(Runcs("run", "first").ExitCode, Is.Zero);
        string[] cached = Directory.GetFiles(Path.Combine(_root.Path, "@seccomp-cache"), "*.bpf");
        DateTime written = File.GetLastWriteTimeUtc(cached.Single());
        Assert.That(Runcs("run", "second").ExitCode, Is.Zero);

        Assert.That(Directory.GetFiles(Path.Combine(_root.Path, "@seccomp-cache"), "*.bpf"), Is.EqualTo(cached));
        Assert.That(File.GetLastWriteTimeUtc(cached.Single()), Is.EqualTo(written), "the second run read the program, it did not write it again");
    }
}
