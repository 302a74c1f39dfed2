using System.Globalization;
using System.Text.Json.Nodes;
using Containers.Testing;
using Microsoft.Win32.SafeHandles;

namespace Containers.Linux.Tests.Runc;

/// <summary>
/// <c>runcs exec</c> into real busybox containers (namespaces, pid namespace, cgroup, flags, exit codes,
/// user namespaces, terminal), side by side with runc 1.1 where the results are comparable, and joining
/// another container's namespaces by path (linux.namespaces[].path).
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class RuncsExecTests
{
    private static readonly string[] JoinedNamespaces = ["pid", "mnt", "uts", "ipc", "net"];
    private TestBundle _bundle = null!;
    private StateRoot _root = null!;
    private string _runcRoot = null!;

    [SetUp]
    public void SetUp()
    {
        RootRequired.Check();
        _bundle = new TestBundle();
        _bundle.WithArgs("sleep", "1000");
        _root = new StateRoot("exec");
        _runcRoot = Path.Combine(Path.GetTempPath(), $"exec-runc-{Guid.NewGuid():N}");
    }

    [TearDown]
    public void TearDown()
    {
        if (_runcRoot is not null && Directory.Exists(_runcRoot))
        {
            foreach (string container in Directory.GetDirectories(_runcRoot))
            {
                Commands.Run("runc", ["--root", _runcRoot, "delete", "--force", Path.GetFileName(container)]);
            }

            Directory.Delete(_runcRoot, recursive: true);
        }

        _root?.Dispose();
        _bundle?.Dispose();
    }

    [Test]
    public void Exec_JoinsTheInitsNamespacesCgroupAndHostname()
    {
        string id = Start(_bundle);
        int init = InitPid(id);

        ProcessResult exec = Runcs("exec", id, "sh", "-c", "for n in pid mnt uts ipc net; do readlink /proc/self/ns/$n; done; hostname; echo pid=$$; cat /proc/self/cgroup");

        Assert.That(exec.ExitCode, Is.Zero, exec.ToString());
        string[] lines = Lines(exec.StandardOutput);
        for (int i = 0; i < JoinedNamespaces.Length; i++)
        {
            string host = new FileInfo($"/proc/{init}/ns/{JoinedNamespaces[i]}").LinkTarget!;
            Assert.That(lines[i], Is.EqualTo(host), JoinedNamespaces[i]);
            Assert.That(host, Is.Not.EqualTo(new FileInfo($"/proc/self/ns/{JoinedNamespaces[i]}").LinkTarget), "the container has its own " + JoinedNamespaces[i]);
        }

        Assert.That(lines[5], Is.EqualTo("runcs-test"));
        Assert.That(lines[6], Does.StartWith("pid=").And.Not.EqualTo("pid=1"));
        Assert.That(lines[7..], Is.EquivalentTo(Lines(File.ReadAllText($"/proc/{init}/cgroup"))), "the same cgroup as the init in every hierarchy");
    }

    [Test]
    public void ExecDetached_WritesThePidFile_TheProcessIsInTheContainersPidNamespaceAndPs()
    {
        string id = Start(_bundle);
        string pidFile = Path.Combine(_bundle.Directory, "exec.pid");

        ProcessResult exec = Runcs("exec", "-d", "--pid-file", pidFile, id, "sleep", "300");

        Assert.That(exec.ExitCode, Is.Zero, exec.ToString());
        int pid = int.Parse(File.ReadAllText(pidFile), CultureInfo.InvariantCulture);
        string nspid = File.ReadAllLines($"/proc/{pid}/status").Single(l => l.StartsWith("NSpid:", StringComparison.Ordinal));
        string[] levels = nspid.Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
        Assert.That(levels, Has.Length.EqualTo(3), "a host pid and a pid in the container's namespace: " + nspid);
        Assert.That(levels[2], Is.Not.EqualTo("1"));
        Assert.That(new FileInfo($"/proc/{pid}/ns/pid").LinkTarget, Is.EqualTo(new FileInfo($"/proc/{InitPid(id)}/ns/pid").LinkTarget));

        ProcessResult inside = Runcs("exec", id, "ps", "-o", "pid,args");
        Assert.That(inside.StandardOutput, Does.Contain($"{levels[2]} sleep 300"), inside.ToString());
        ProcessResult ps = Runcs("ps", "--format", "json", id);
        Assert.That(JsonNode.Parse(ps.StandardOutput)!.AsArray().Select(n => (int)n!), Does.Contain(pid), ps.ToString());
    }

    [Test]
    public void Exec_FlagsSetEnvCwdUserGroupsCapabilitiesAndNoNewPrivs()
    {
        string id = Start(_bundle);

        ProcessResult exec = Runcs(
            "exec", "-e", "FOO=bar", "--env", "PATH=/bin", "--cwd", "/tmp", "-u", "1000:1001", "--additional-gids", "20", "--cap", "CAP_NET_RAW", "--no-new-privs",
            id, "sh", "-c", "echo FOO=$FOO; env | grep -c '^PATH='; pwd; grep -E '^(Uid|Gid|Groups|CapEff|CapBnd|CapAmb|NoNewPrivs):' /proc/self/status");

        Assert.That(exec.ExitCode, Is.Zero, exec.ToString());
        string[] lines = Lines(exec.StandardOutput);
        Assert.That(lines, Does.Contain("FOO=bar"));
        Assert.That(lines, Does.Contain("1"), "-e PATH replaces the config's PATH, it is not doubled");
        Assert.That(lines, Does.Contain("/tmp"));
        Assert.That(lines, Does.Contain("Uid:\t1000\t1000\t1000\t1000"));
        Assert.That(lines, Does.Contain("Gid:\t1001\t1001\t1001\t1001"));
        Assert.That(lines.Single(l => l.StartsWith("Groups:", StringComparison.Ordinal)), Does.Contain("20"));
        Assert.That(lines, Does.Contain("CapEff:\t0000000000000000").And.Contain("CapAmb:\t0000000000000000"), "as runc 1.1: --cap is not inheritable, so not ambient, and a non-root user's effective set is empty");
        Assert.That(lines, Does.Contain("CapBnd:\t0000000020002420"), "the spec's bounding set plus CAP_NET_RAW");
        Assert.That(lines, Does.Contain("NoNewPrivs:\t1"));
    }

    [Test]
    public void Exec_GetsTheContainersSeccompFilter()
    {
        _bundle.Config["linux"]!["seccomp"] = JsonNode.Parse("""
            { "defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"],
              "syscalls": [ { "names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1 } ] }
            """);
        _bundle.Save();
        string id = Start(_bundle);

        ProcessResult exec = Runcs("exec", id, "sh", "-c", "grep -E '^Seccomp(_filters)?:' /proc/self/status; mkdir /dev/shm/blocked 2>&1; echo mkdir=$?; touch /dev/shm/allowed && echo touch-ok");

        Assert.That(exec.ExitCode, Is.Zero, exec.ToString());
        string[] lines = Lines(exec.StandardOutput);
        Assert.That(lines, Does.Contain("Seccomp:\t2").And.Contain("Seccomp_filters:\t1"), exec.StandardOutput);
        Assert.That(lines, Does.Contain("mkdir=1").And.Contain("touch-ok"), exec.StandardOutput);
        Assert.That(exec.StandardOutput, Does.Contain("Operation not permitted"));
    }

    [Test]
    public void Exec_PassesOnlyStdioAndThePreservedDescriptors()
    {
        string id = Start(_bundle);
        string script = $"exec 3</etc/hostname 4</etc/hostname; exec '{RuncsBinary.Path}' --root '{_root.Path}' exec \"$@\"";

        ProcessResult plain = Commands.Run("/bin/sh", ["-c", script, "sh", id, "ls", "/proc/self/fd"]);
        ProcessResult preserved = Commands.Run("/bin/sh", ["-c", script, "sh", "--preserve-fds", "1", id, "sh", "-c", "ls /proc/self/fd; cat /proc/self/fd/3"]);

        Assert.That(plain.ExitCode, Is.Zero, plain.ToString());
        Assert.That(Lines(plain.StandardOutput), Is.EquivalentTo(new[] { "0", "1", "2", "3" }), "stdio and ls's own directory fd; the caller's fds 3 and 4 stay out");
        Assert.That(preserved.ExitCode, Is.Zero, preserved.ToString());
        string[] lines = Lines(preserved.StandardOutput);
        Assert.That(lines, Does.Contain("3").And.Not.Contain("5"), "fd 3 preserved; ls's directory fd is 4 once 4 is gone");
        Assert.That(lines[^1], Is.EqualTo(File.ReadAllText("/etc/hostname").Trim()), "fd 3 is the caller's open file");
    }

    [Test]
    public void Exec_IntoACreatedContainerWithACgroupNamespace_JoinsIt()
    {
        _bundle.Config["linux"]!["namespaces"]!.AsArray().Add(JsonNode.Parse("""{"type": "cgroup"}"""));
        _bundle.Save();
        string id = $"exec-{Guid.NewGuid():N}"[..16];
        Assert.That(Runcs("create", "--bundle", _bundle.Directory, id).ExitCode, Is.Zero);
        int init = InitPid(id);

        ProcessResult exec = Runcs("exec", id, "sh", "-c", "readlink /proc/self/ns/cgroup; cat /proc/self/cgroup");

        Assert.That(exec.ExitCode, Is.Zero, exec.ToString());
        string[] lines = Lines(exec.StandardOutput);
        Assert.That(lines[0], Is.EqualTo(new FileInfo($"/proc/{init}/ns/cgroup").LinkTarget));
        Assert.That(lines[0], Is.Not.EqualTo(new FileInfo("/proc/self/ns/cgroup").LinkTarget));
        Assert.That(lines[1..].Select(l => l[(l.LastIndexOf(':') + 1)..]), Is.All.EqualTo("/"), "rooted at the container's cgroup, like the init");
        Assert.That((string?)JsonNode.Parse(Runcs("state", id).StandardOutput)!["status"], Is.EqualTo("created"), "an exec does not start the container");
    }

    [Test]
    public void Exec_ReturnsTheProcesssExitCode_And128PlusSignal()
    {
        string id = Start(_bundle);

        Assert.That(Runcs("exec", id, "sh", "-c", "exit 7").ExitCode, Is.EqualTo(7));
        Assert.That(Runcs("exec", id, "sh", "-c", "kill -9 $$").ExitCode, Is.EqualTo(137));
        Assert.That(Runcs("exec", id, "no-such-program").ExitCode, Is.EqualTo(255), "a process that cannot start is an exec failure");
    }

    [Test]
    public void Exec_StatusMatchesRunc_WithAndWithoutFlags()
    {
        using RuncDevNullGuard guard = new();
        string id = Start(_bundle);
        ProcessResult runcRun = Commands.Run("runc", ["--root", _runcRoot, "run", "-d", "--bundle", _bundle.Directory, id]);
        Assert.That(runcRun.ExitCode, Is.Zero, runcRun.ToString());
        const string Script = "grep -E '^(Uid|Gid|Groups|Cap...|NoNewPrivs|Seccomp):' /proc/self/status; pwd; id";
        string[][] variants = [[], ["--cap", "CAP_SYS_ADMIN", "--no-new-privs"], ["-u", "1000:1000", "--cap", "CAP_NET_RAW", "--cwd", "/tmp"]];
        foreach (string[] flags in variants)
        {
            ProcessResult runcs = Runcs(["exec", .. flags, id, "sh", "-c", Script]);
            ProcessResult runc = Commands.Run("runc", ["--root", _runcRoot, "exec", .. flags, id, "sh", "-c", Script]);

            Assert.That(runc.ExitCode, Is.Zero, runc.ToString());
            Assert.That(runcs.ExitCode, Is.Zero, runcs.ToString());
            Assert.That(runcs.StandardOutput, Is.EqualTo(runc.StandardOutput), string.Join(' ', flags));
        }
    }

    [Test]
    public void Exec_MissingOrStoppedContainer_FailsLikeRunc()
    {
        using RuncDevNullGuard guard = new();
        ProcessResult missing = Runcs("exec", "no-such-container", "true");
        ProcessResult runcMissing = Commands.Run("runc", ["--root", _runcRoot, "exec", "no-such-container", "true"]);
        Assert.That((missing.ExitCode, runcMissing.ExitCode), Is.EqualTo((255, 255)));
        Assert.That(missing.StandardError, Does.Contain("exec failed: container does not exist"));
        Assert.That(runcMissing.StandardError, Does.Contain("exec failed: container does not exist"));

        _bundle.WithArgs("true");
        string id = $"stopped-{Guid.NewGuid():N}"[..16];
        Assert.That(Runcs("create", "--bundle", _bundle.Directory, id).ExitCode, Is.Zero);
        Assert.That(Runcs("start", id).ExitCode, Is.Zero);
        WaitForStatus(id, "stopped");

        ProcessResult stopped = Runcs("exec", id, "true");

        Assert.That(stopped.ExitCode, Is.EqualTo(255), stopped.ToString());
        Assert.That(stopped.StandardError, Does.Contain("cannot exec in a stopped container"));
    }

    [Test]
    public void Exec_IntoAPausedContainer_FailsLikeRunc_AndIgnorePausedRunsOnceResumed()
    {
        string id = Start(_bundle);
        Assert.That(Runcs("pause", id).ExitCode, Is.Zero);
        using System.Diagnostics.Process ignore = Commands.Start(RuncsBinary.Path, "--root", _root.Path, "exec", "--ignore-paused", id, "sh", "-c", "echo ran; exit 3");
        try
        {
            ProcessResult paused = Runcs("exec", id, "true");

            Assert.That(paused.ExitCode, Is.EqualTo(255), paused.ToString());
            Assert.That(paused.StandardError, Does.Contain("exec failed: cannot exec in a paused container (use --ignore-paused to override)"));

            // As runc 1.1.5: the process joins the frozen cgroup and freezes there; exec waits until `resume`.
            Assert.That(ignore.WaitForExit(500), Is.False, "exec --ignore-paused ended while the container was frozen");
        }
        finally
        {
            Runcs("resume", id);
        }

        Assert.That(ignore.WaitForExit(30_000), Is.True, "exec --ignore-paused did not end after resume");
        Assert.That(ignore.ExitCode, Is.EqualTo(3), ignore.StandardError.ReadToEnd());
        Assert.That(ignore.StandardOutput.ReadToEnd(), Is.EqualTo("ran\n"));
    }

    [Test]
    public void Exec_InAUserNamespaceContainer_RunsAsTheMappedUidNotHostRoot()
    {
        MakeUserNamespaceBundle(_bundle);
        string id = Start(_bundle);
        string pidFile = Path.Combine(_bundle.Directory, "exec.pid");

        ProcessResult inside = Runcs("exec", id, "sh", "-c", "cat /proc/self/uid_map; id -u; readlink /proc/self/ns/user");
        ProcessResult detached = Runcs("exec", "-d", "--pid-file", pidFile, id, "sleep", "300");

        Assert.That(inside.ExitCode, Is.Zero, inside.ToString());
        string[] lines = Lines(inside.StandardOutput);
        Assert.That(lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(new[] { "0", "100000", "65536" }));
        Assert.That(lines[1], Is.EqualTo("0"));
        Assert.That(lines[2], Is.EqualTo(new FileInfo($"/proc/{InitPid(id)}/ns/user").LinkTarget));
        Assert.That(detached.ExitCode, Is.Zero, detached.ToString());
        int pid = int.Parse(File.ReadAllText(pidFile), CultureInfo.InvariantCulture);
        Assert.That(File.ReadAllLines($"/proc/{pid}/status"), Does.Contain("Uid:\t100000\t100000\t100000\t100000"), "root in the container is host uid 100000");
    }

    [Test]
    public void ExecWithTty_SendsThePtyMasterOverTheConsoleSocket()
    {
        string id = Start(_bundle);
        using ConsoleSocketReceiver receiver = new();

        ProcessResult exec = Runcs("exec", "-t", "-d", "--console-socket", receiver.Path, id, "sh");

        Assert.That(exec.ExitCode, Is.Zero, exec.ToString());
        (string name, SafeFileHandle master) = receiver.Receive();
        using (master)
        {
            Assert.That(name, Is.EqualTo("/dev/ptmx"));
            ConsoleSocketReceiver.Type(master, "tty; exec 3</dev/tty && echo ctty-ok; readlink /proc/self/ns/pid; echo done-$((6*7)); exit\n");
            string output = ConsoleSocketReceiver.ReadUntil(master, "done-42");
            string[] lines = output.Split(["\r\n", "\n"], StringSplitOptions.TrimEntries);

            Assert.That(lines.Any(l => l.StartsWith("/dev/pts/", StringComparison.Ordinal)), output);
            Assert.That(lines, Does.Contain("ctty-ok"), output);
            Assert.That(lines, Does.Contain(new FileInfo($"/proc/{InitPid(id)}/ns/pid").LinkTarget), output);
        }
    }

    [Test]
    public void ExecWithTtyDetachedWithoutConsoleSocket_IsRefused()
    {
        string id = Start(_bundle);

        ProcessResult exec = Runcs("exec", "-t", "-d", id, "sh");

        Assert.That(exec.ExitCode, Is.EqualTo(255), exec.ToString());
        Assert.That(exec.StandardError, Does.Contain("cannot allocate tty if runcs will detach without setting console socket"));
    }

    [Test]
    public void JoinByPath_SharesAnotherContainersNetworkAndUtsNamespaces()
    {
        string first = Start(_bundle);
        int firstInit = InitPid(first);
        using TestBundle second = new();
        second.Config.Remove("hostname");
        JsonArray namespaces = second.Config["linux"]!["namespaces"]!.AsArray();
        foreach (JsonNode? ns in namespaces)
        {
            string type = (string)ns!["type"]!;
            if (type is "network" or "uts")
            {
                ns["path"] = $"/proc/{firstInit}/ns/{(type == "network" ? "net" : "uts")}";
            }
        }

        second.WithArgs("sleep", "1000");
        string joined = Start(second);
        int joinedInit = InitPid(joined);

        Assert.That(new FileInfo($"/proc/{joinedInit}/ns/net").LinkTarget, Is.EqualTo(new FileInfo($"/proc/{firstInit}/ns/net").LinkTarget));
        Assert.That(new FileInfo($"/proc/{joinedInit}/ns/uts").LinkTarget, Is.EqualTo(new FileInfo($"/proc/{firstInit}/ns/uts").LinkTarget));
        Assert.That(new FileInfo($"/proc/{joinedInit}/ns/mnt").LinkTarget, Is.Not.EqualTo(new FileInfo($"/proc/{firstInit}/ns/mnt").LinkTarget), "the rest are its own");
        Assert.That(new FileInfo($"/proc/{joinedInit}/ns/pid").LinkTarget, Is.Not.EqualTo(new FileInfo($"/proc/{firstInit}/ns/pid").LinkTarget));
        ProcessResult hostname = Runcs("exec", joined, "hostname");
        Assert.That(hostname.StandardOutput.Trim(), Is.EqualTo("runcs-test"), "the first container's hostname, through the shared uts namespace");
    }

    [Test]
    public void JoinByPath_UserAndPidNamespacesOfAUserNamespaceContainer()
    {
        MakeUserNamespaceBundle(_bundle);
        string first = Start(_bundle);
        int firstInit = InitPid(first);
        using TestBundle second = new();
        Assert.That(Commands.Run("chown", ["-R", "-h", "100000:100000", second.Rootfs]).ExitCode, Is.Zero);
        File.SetUnixFileMode(second.Directory, (UnixFileMode)0x1ED);
        second.Config.Remove("hostname");
        JsonArray namespaces = second.Config["linux"]!["namespaces"]!.AsArray();
        namespaces.Add(JsonNode.Parse("""{"type": "user"}"""));
        foreach (JsonNode? ns in namespaces)
        {
            string type = (string)ns!["type"]!;
            if (type is "user" or "pid" or "network")
            {
                ns["path"] = $"/proc/{firstInit}/ns/{(type == "network" ? "net" : type)}";
            }
        }

        second.WithArgs("sleep", "1000");
        string joined = Start(second);
        int joinedInit = InitPid(joined);

        foreach (string ns in new[] { "user", "pid", "net" })
        {
            Assert.That(new FileInfo($"/proc/{joinedInit}/ns/{ns}").LinkTarget, Is.EqualTo(new FileInfo($"/proc/{firstInit}/ns/{ns}").LinkTarget), ns);
        }

        Assert.That(new FileInfo($"/proc/{joinedInit}/ns/mnt").LinkTarget, Is.Not.EqualTo(new FileInfo($"/proc/{firstInit}/ns/mnt").LinkTarget));
        string[] status = File.ReadAllLines($"/proc/{joinedInit}/status");
        Assert.That(status, Does.Contain("Uid:\t100000\t100000\t100000\t100000"), "root of the joined user namespace, not host root");
        string[] nspid = status.Single(l => l.StartsWith("NSpid:", StringComparison.Ordinal)).Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
        Assert.That(nspid, Has.Length.EqualTo(3), "a host pid and one in the first container's pid namespace");
        Assert.That(nspid[2], Is.Not.EqualTo("1"));
        ProcessResult ps = Runcs("exec", first, "ps", "-o", "pid,args");
        Assert.That(Lines(ps.StandardOutput).Select(l => l.Trim()), Does.Contain($"{nspid[2]} sleep 1000"), ps.ToString());
    }

    [Test]
    public void JoinByPath_ANamespaceOfTheWrongType_IsRefusedByFieldAndLeavesNothing()
    {
        string first = Start(_bundle);
        using TestBundle second = new();
        JsonArray namespaces = second.Config["linux"]!["namespaces"]!.AsArray();
        int index = namespaces.Select((ns, i) => (Type: (string)ns!["type"]!, Index: i)).Single(n => n.Type == "network").Index;
        namespaces[index]!["path"] = $"/proc/{InitPid(first)}/ns/uts";
        second.Save();
        string[] before = _root.Containers;

        ProcessResult create = Runcs("create", "--bundle", second.Directory, "wrong-type");

        Assert.That(create.ExitCode, Is.Not.Zero);
        Assert.That(create.StandardError, Does.Contain($"linux.namespaces[{index}].path").And.Contain("is not a net namespace"));
        Assert.That(_root.Containers, Is.EquivalentTo(before));
    }

    /// <summary>A new user namespace mapping container root to host uid 100000, with the rootfs owned to match.</summary>
    private static void MakeUserNamespaceBundle(TestBundle bundle)
    {
        Assert.That(Commands.Run("chown", ["-R", "-h", "100000:100000", bundle.Rootfs]).ExitCode, Is.Zero);
        File.SetUnixFileMode(bundle.Directory, (UnixFileMode)0x1ED);
        JsonObject linux = bundle.Config["linux"]!.AsObject();
        linux["namespaces"]!.AsArray().Add(JsonNode.Parse("""{"type": "user"}"""));
        linux["uidMappings"] = JsonNode.Parse("""[{"containerID": 0, "hostID": 100000, "size": 65536}]""");
        linux["gidMappings"] = JsonNode.Parse("""[{"containerID": 0, "hostID": 100000, "size": 65536}]""");
        bundle.Save();
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private ProcessResult Runcs(params string[] args) => Commands.Run(RuncsBinary.Path, ["--root", _root.Path, .. args]);

    private string Start(TestBundle bundle)
    {
        string id = $"exec-{Guid.NewGuid():N}"[..16];
        ProcessResult run = Runcs("run", "-d", "--bundle", bundle.Directory, id);
        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        return id;
    }

    private int InitPid(string id)
    {
        ProcessResult state = Runcs("state", id);
        Assert.That(state.ExitCode, Is.Zero, state.ToString());
        return (int)JsonNode.Parse(state.StandardOutput)!["pid"]!;
    }

    private void WaitForStatus(string id, string expected)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(30);
        string status;
        do
        {
            status = (string?)JsonNode.Parse(Runcs("state", id).StandardOutput)?["status"] ?? string.Empty;
        }
        while (status != expected && DateTime.UtcNow < deadline);
        Assert.That(status, Is.EqualTo(expected));
    }
}
