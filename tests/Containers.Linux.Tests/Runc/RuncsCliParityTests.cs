using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Containers.Testing;

namespace Containers.Linux.Tests.Runc;

/// <summary>
/// runc 1.1's command-line behaviour that tools see, side by side with Debian's runc 1.1.5 on the same bundle:
/// <c>list --format json</c> (bytes and owner), <c>exec --cgroup</c>, AppArmor/SELinux labels on this host, and a
/// failing hook's output in the error message.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class RuncsCliParityTests
{
    private static readonly string[] StateKeys = ["ociVersion", "id", "pid", "status", "bundle", "rootfs", "created", "owner"];
    private static readonly string[] AnnotatedStateKeys = ["ociVersion", "id", "pid", "status", "bundle", "rootfs", "created", "annotations", "owner"];
    private TestBundle _bundle = null!;
    private string _runcsRoot = null!;
    private string _runcRoot = null!;
    private readonly List<string> _cgroupDirectories = [];

    [SetUp]
    public void SetUp()
    {
        RootRequired.Check();
        _bundle = new TestBundle();
        _bundle.WithArgs("sleep", "1000");
        _runcsRoot = Path.Combine(Path.GetTempPath(), $"parity-runcs-{Guid.NewGuid():N}");
        _runcRoot = Path.Combine(Path.GetTempPath(), $"parity-runc-{Guid.NewGuid():N}");
    }

    [TearDown]
    public void TearDown()
    {
        // Sub-cgroups first: a runtime's delete removes only the container's own cgroup directory.
        foreach (string directory in Enumerable.Reverse(_cgroupDirectories).Where(Directory.Exists))
        {
            Directory.Delete(directory);
        }

        using (new RuncDevNullGuard())
        {
            foreach ((string binary, string root) in new[] { (RuncsBinary.Path, _runcsRoot), ("runc", _runcRoot) })
            {
                if (root is not null && Directory.Exists(root))
                {
                    foreach (string container in Directory.GetDirectories(root))
                    {
                        Commands.Run(binary, ["--root", root, "delete", "--force", Path.GetFileName(container)]);
                    }

                    Directory.Delete(root, recursive: true);
                }
            }
        }

        _bundle?.Dispose();
    }

    [Test]
    public void ListJson_IsOneCompactLineWithRuncsFieldsEscapingAndOwner()
    {
        Dictionary<string, string> lines = [];
        Dictionary<string, string> tables = [];
        foreach (string runtime in new[] { "runcs", "runc" })
        {
            _bundle.Config.Remove("annotations");
            _bundle.Save();
            Run(runtime, "run", "-d", "--bundle", _bundle.Directory, $"{runtime}-plain");
            _bundle.Config["annotations"] = new JsonObject { ["b.x"] = "1", ["a.y"] = "two \"q\" <&> \u00e9\t" };
            _bundle.Save();
            Run(runtime, "run", "-d", "--bundle", _bundle.Directory, $"{runtime}-noted");

            // runc's owner is the name of the state directory's uid in /etc/passwd, or #uid.
            Assert.That(Commands.Run("chown", ["1", Path.Combine(RootOf(runtime), $"{runtime}-noted")]).ExitCode, Is.Zero);
            ProcessResult list = Run(runtime, "list", "--format", "json");
            lines[runtime] = list.StandardOutput;
            tables[runtime] = Run(runtime, "list").StandardOutput;
            Assert.That(Commands.Run("chown", ["0", Path.Combine(RootOf(runtime), $"{runtime}-noted")]).ExitCode, Is.Zero);
        }

        string daemon = File.ReadLines("/etc/passwd").Select(l => l.Split(':')).First(f => f[2] == "1")[0];
        foreach ((string runtime, string text) in lines)
        {
            Assert.That(text, Does.EndWith("]\n").And.StartWith("[{"), runtime);
            Assert.That(text.Count(c => c == '\n'), Is.EqualTo(1), $"{runtime}: one line");
            Assert.That(text, Does.Not.Contain(": ").And.Not.Contain(", "), $"{runtime}: compact");
            JsonArray states = JsonNode.Parse(text)!.AsArray();
            JsonObject plain = states.Single(s => (string?)s!["id"] == $"{runtime}-plain")!.AsObject();
            JsonObject noted = states.Single(s => (string?)s!["id"] == $"{runtime}-noted")!.AsObject();
            Assert.That(plain.Select(p => p.Key), Is.EqualTo(StateKeys), runtime);
            Assert.That(noted.Select(p => p.Key), Is.EqualTo(AnnotatedStateKeys), runtime);
            Assert.That((string?)plain["owner"], Is.EqualTo("root"), runtime);
            Assert.That((string?)noted["owner"], Is.EqualTo(daemon), runtime);
            Assert.That((string?)plain["status"], Is.EqualTo("running"), runtime);
            Assert.That(Regex.IsMatch(text, "\"created\":\"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z\""), Is.True, runtime);
            Assert.That(Lines(tables[runtime]).Single(l => l.StartsWith($"{runtime}-noted", StringComparison.Ordinal)), Does.EndWith(" " + daemon), $"{runtime}: table OWNER");
        }

        // The same bytes for the same annotations: Go's escaping (lowercase \u00xx for <, >, &, raw UTF-8), keys sorted.
        Assert.That(Annotations(lines["runcs"]), Is.EqualTo(Annotations(lines["runc"])));
        Assert.That(Annotations(lines["runcs"]), Does.Contain("\\u003c\\u0026\\u003e"));

        // No containers: "null" and a newline, as runc's json.Encoder writes a nil slice.
        string empty = Path.Combine(Path.GetTempPath(), $"parity-empty-{Guid.NewGuid():N}");
        try
        {
            Assert.That(Commands.Run(RuncsBinary.Path, ["--root", empty, "list", "-f", "json"]).StandardOutput, Is.EqualTo(Commands.Run("runc", ["--root", empty, "list", "-f", "json"]).StandardOutput).And.EqualTo("null\n"));
        }
        finally
        {
            // runc creates the root it lists.
            if (Directory.Exists(empty))
            {
                Directory.Delete(empty, recursive: true);
            }
        }
    }

    [TestCase("runcs")]
    [TestCase("runc")]
    public void ExecCgroup_PlacesTheProcessInTheNamedSubCgroup_AndRefusesWhatRuncRefuses(string runtime)
    {
        string memory = MemoryHierarchy();
        string cgroup = $"/parity-{runtime}-{Guid.NewGuid():N}"[..24];
        _bundle.Config["linux"]!["cgroupsPath"] = cgroup;
        _bundle.Save();
        string id = $"{runtime}-cg";
        Run(runtime, "run", "-d", "--bundle", _bundle.Directory, id);
        string sub = Path.Combine(memory + cgroup, "sub");
        Directory.CreateDirectory(sub);
        _cgroupDirectories.Add(sub);

        ProcessResult exec = Exec(runtime, "exec", "--cgroup", "memory:sub", id, "cat", "/proc/self/cgroup");
        Assert.That(exec.ExitCode, Is.Zero, exec.ToString());
        string[] lines = Lines(exec.StandardOutput);
        Assert.That(lines.Single(l => Regex.IsMatch(l, "^\\d+:memory:")), Does.EndWith(cgroup + "/sub"));
        Assert.That(lines.Where(l => !l.Contains(":memory:", StringComparison.Ordinal)).Select(l => l[(l.LastIndexOf(':') + 1)..]).Distinct(), Is.EqualTo(new[] { cgroup }), "the other hierarchies keep the container's cgroup");

        // Failures are exec failures (255) with runc's words.
        (string[] Args, string Message)[] refused =
        [
            (["--cgroup", "../x"], "../x is not a sub cgroup path"),
            (["--cgroup", "memory:a/../../.."], "is not a sub cgroup path"),
            (["--cgroup", "nosuch:sub"], "unknown controller nosuch in SubCgroupPaths"),
            (["--cgroup", "a:b:c"], "invalid --cgroup argument: a:b:c"),
            (["--cgroup", "sub", "--cgroup", "memory:sub"], "invalid --cgroup argument: sub (missing <controller>: prefix)"),
            (["--cgroup", "memory:nosuch"], "cgroup.procs: no such file or directory"),
        ];
        foreach ((string[] args, string message) in refused)
        {
            ProcessResult result = Exec(runtime, ["exec", .. args, id, "true"]);
            Assert.That(result.ExitCode, Is.EqualTo(255), $"{string.Join(' ', args)}: {result}");
            Assert.That(result.StandardError, Does.Contain("exec failed").And.Contain(message), string.Join(' ', args));
        }
    }

    [TestCase("runcs")]
    [TestCase("runc")]
    public void SecurityLabels_BehaveAsRuncOnThisHost(string runtime)
    {
        bool apparmor = File.Exists("/sys/module/apparmor/parameters/enabled") && File.ReadAllText("/sys/module/apparmor/parameters/enabled").StartsWith('Y');
        bool selinux = File.ReadLines("/proc/self/mountinfo").Any(l => l.Contains(" - selinuxfs ", StringComparison.Ordinal));
        if (apparmor || selinux)
        {
            Assert.Ignore($"this host has {(apparmor ? "AppArmor" : "SELinux")}: the labels would apply; the test covers hosts without those LSMs");
        }

        // runc 1.1 writes the profile to attr/exec without checking that AppArmor is on; the kernel refuses it.
        _bundle.Process["apparmorProfile"] = "runcs-parity-profile";
        _bundle.Save();
        ProcessResult run = Exec(runtime, "run", "-d", "--bundle", _bundle.Directory, $"{runtime}-aa");
        Assert.That(run.ExitCode, Is.Not.Zero, run.ToString());
        Assert.That(run.StandardError, Does.Contain("attr/exec").And.Contain("invalid argument").IgnoreCase);
        Assert.That(Directory.Exists(Path.Combine(RootOf(runtime), $"{runtime}-aa")), Is.False, "nothing left of the failed container");

        _bundle.Process.Remove("apparmorProfile");
        _bundle.Process["selinuxLabel"] = "system_u:system_r:container_t:s0";
        _bundle.Save();
        run = Exec(runtime, "run", "-d", "--bundle", _bundle.Directory, $"{runtime}-se");
        Assert.That(run.ExitCode, Is.Not.Zero, run.ToString());
        Assert.That(run.StandardError, Does.Contain("selinux label is specified in config, but selinux is disabled or not supported"));
        Assert.That(Directory.Exists(Path.Combine(RootOf(runtime), $"{runtime}-se")), Is.False, "nothing left of the failed container");

        _bundle.Process.Remove("selinuxLabel");
        _bundle.Save();
        string id = $"{runtime}-ok";
        Run(runtime, "run", "-d", "--bundle", _bundle.Directory, id);
        ProcessResult exec = Exec(runtime, "exec", "--apparmor", "runcs-parity-profile", id, "true");
        Assert.That(exec.ExitCode, Is.EqualTo(255), exec.ToString());
        Assert.That(exec.StandardError, Does.Contain("exec failed").And.Contain("attr/exec").And.Contain("invalid argument").IgnoreCase);
        exec = Exec(runtime, "exec", "--process-label", "system_u:system_r:container_t:s0", id, "true");
        Assert.That(exec.ExitCode, Is.EqualTo(255), exec.ToString());
        Assert.That(exec.StandardError, Does.Contain("exec failed").And.Contain("selinux label is specified in config, but selinux is disabled or not supported"));
        Assert.That(Exec(runtime, "exec", id, "true").ExitCode, Is.Zero, "the container is unharmed");
    }

    [TestCase("runcs")]
    [TestCase("runc")]
    public void FailingHook_OutputIsInTheErrorMessage(string runtime)
    {
        // More than a pipe holds on stdout, so a runtime that only read after the exit would hang.
        _bundle.Config["hooks"] = new JsonObject
        {
            ["prestart"] = new JsonArray(new JsonObject
            {
                ["path"] = "/bin/sh",
                ["args"] = new JsonArray("sh", "-c", "head -c 100000 /dev/zero | tr '\\0' x; echo; echo hook-out line1; echo hook-err line >&2; exit 3"),
            }),
        };
        _bundle.Save();

        ProcessResult run = Exec(runtime, "run", "-d", "--bundle", _bundle.Directory, $"{runtime}-hook");

        // runc prints the message as a logrus line (newlines escaped), runcs as it is.
        string message = run.StandardError.Replace("\\n", "\n", StringComparison.Ordinal);
        string tail = message[Math.Max(0, message.Length - 400)..];
        Assert.That(run.ExitCode, Is.Not.Zero, tail);
        Assert.That(message.Contains("error running hook: exit status 3, stdout: xxxxxxxxxx", StringComparison.Ordinal), Is.True, tail);
        Assert.That(message.Contains(new string('x', 100000) + "\nhook-out line1\n, stderr: hook-err line\n", StringComparison.Ordinal), Is.True, tail);
        Assert.That(Directory.Exists(Path.Combine(RootOf(runtime), $"{runtime}-hook")), Is.False, "nothing left of the failed container");
    }

    /// <summary>
    /// NOTIFY_SOCKET (a systemd service running the runtime): the container's READY=1 reaches the host's socket with
    /// MAINPID=the init, after <c>run -d</c> and after <c>start</c>, through runc's /run/notify bind. busybox cannot send a
    /// unix datagram (its nc has no -u/-U), so the container runs the host's python3 from a read-only bind of /usr.
    /// </summary>
    [TestCase("runcs")]
    [TestCase("runc")]
    public void NotifySocket_ContainersReadyReachesTheHostWithTheInitAsMainPid(string runtime)
    {
        if (!File.Exists("/usr/bin/python3") || new FileInfo("/lib64").LinkTarget != "usr/lib64" || new FileInfo("/lib").LinkTarget != "usr/lib")
        {
            Assert.Ignore("needs the host's /usr/bin/python3 on a merged-/usr host to send sd_notify's datagram from the container (busybox cannot)");
        }

        File.CreateSymbolicLink(Path.Combine(_bundle.Rootfs, "lib"), "usr/lib");
        File.CreateSymbolicLink(Path.Combine(_bundle.Rootfs, "lib64"), "usr/lib64");
        _bundle.Config["mounts"]!.AsArray().Add(new JsonObject { ["destination"] = "/usr", ["type"] = "bind", ["source"] = "/usr", ["options"] = new JsonArray("rbind", "ro") });
        _bundle.WithArgs("sh", "-c", "/usr/bin/python3 -c \"import os, socket; socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).sendto(b'READY=1', os.environ['NOTIFY_SOCKET'])\"; sleep 1000");
        string hostSocket = Path.Combine(_bundle.Directory, "host-notify.sock");
        using System.Net.Sockets.Socket listener = new(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Unspecified);
        listener.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(hostSocket));
        listener.ReceiveTimeout = 30_000;
        string binary = runtime == "runcs" ? RuncsBinary.Path : "runc";

        List<string> mounts = [];
        foreach (string[] verbs in new[] { new[] { "run -d" }, new[] { "create", "start" } })
        {
            string id = $"{runtime}-{verbs[0][..3]}";
            foreach (string verb in verbs)
            {
                string[] args = verb == "start" ? ["start", id] : [.. verb.Split(' '), "--bundle", _bundle.Directory, id];
                ProcessResult result;
                using (new RuncDevNullGuard())
                {
                    result = Commands.Run("/usr/bin/env", [$"NOTIFY_SOCKET={hostSocket}", binary, "--root", RootOf(runtime), .. args], _bundle.Directory);
                }

                Assert.That(result.ExitCode, Is.Zero, $"{verb}: {result}");
            }

            // Both datagrams are there when run -d / start returned: they wait for READY.
            int pid = (int)JsonNode.Parse(Run(runtime, "state", id).StandardOutput)!["pid"]!;
            Assert.That(Receive(listener), Is.EqualTo("READY=1\n"), string.Join('+', verbs));
            Assert.That(Receive(listener), Is.EqualTo($"MAINPID={pid}\n"), string.Join('+', verbs));
            mounts.Add(Lines(Run(runtime, "exec", id, "cat", "/proc/self/mountinfo").StandardOutput).Single(l => l.Split(' ')[4] == "/run/notify"));
        }

        // runc's bind: read-only, nosuid, nodev, noexec.
        foreach (string mount in mounts)
        {
            Assert.That(mount.Split(' ')[5].Split(','), Is.SupersetOf(new[] { "ro", "nosuid", "nodev", "noexec" }), mount);
        }
    }

    private static string Receive(System.Net.Sockets.Socket listener)
    {
        byte[] buffer = new byte[4096];
        int n = listener.Receive(buffer);
        return System.Text.Encoding.UTF8.GetString(buffer, 0, n);
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private static string Annotations(string listJson)
    {
        Match match = Regex.Match(listJson, "\"annotations\":(\\{.*?\\}),\"owner\"");
        Assert.That(match.Success, Is.True, listJson);
        return match.Groups[1].Value;
    }

    private static string MemoryHierarchy()
    {
        global::Containers.Linux.Cgroups.CgroupLayout layout = global::Containers.Linux.Cgroups.CgroupLayout.Detect();
        return layout.GetV1MountPoint("memory") is string memory
            ? memory
            : throw new IgnoreException("exec --cgroup controller:path needs a cgroup v1 memory hierarchy (this host is cgroup2-only)");
    }

    private string RootOf(string runtime) => runtime == "runcs" ? _runcsRoot : _runcRoot;

    private ProcessResult Exec(string runtime, params string[] args)
    {
        using RuncDevNullGuard guard = new();
        return Commands.Run(runtime == "runcs" ? RuncsBinary.Path : "runc", ["--root", RootOf(runtime), .. args], _bundle.Directory);
    }

    private ProcessResult Run(string runtime, params string[] args)
    {
        ProcessResult result = Exec(runtime, args);
        Assert.That(result.ExitCode, Is.Zero, $"{runtime} {string.Join(' ', args)}: {result}");
        return result;
    }
}
