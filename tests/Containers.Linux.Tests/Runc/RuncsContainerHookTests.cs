using System.Text.Json.Nodes;
using Containers.Testing;

namespace Containers.Linux.Tests.Runc;

/// <summary>
/// Hooks in runc's places: prestart/createRuntime while the init waits before pivot_root, createContainer run by
/// the init in the container's mount namespace before pivot_root, startContainer in the container just before the
/// user process. The order and what each hook sees are compared with runc 1.1 on the same config.json.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class RuncsContainerHookTests
{
    private const string InContainerOut = "/out";
    private TestBundle _bundle = null!;
    private string _state = null!;
    private string _out = null!;
    private string _cgroupPath = null!;

    [SetUp]
    public void SetUp()
    {
        RootRequired.Check();
        _bundle = new TestBundle();
        _state = Path.Combine(Path.GetTempPath(), $"hook-state-{Guid.NewGuid():N}");
        _out = Directory.CreateTempSubdirectory("hook-out-").FullName;
        _cgroupPath = $"/runcs-hooktest-{Guid.NewGuid():N}"[..28];
        _bundle.Config["linux"]!["cgroupsPath"] = _cgroupPath;
        _bundle.Config["mounts"]!.AsArray().Add(new JsonObject
        {
            ["destination"] = InContainerOut,
            ["type"] = "bind",
            ["source"] = _out,
            ["options"] = new JsonArray("rbind", "rw"),
        });
        _bundle.Save();
    }

    [TearDown]
    public void TearDown()
    {
        if (_state is not null && Directory.Exists(_state))
        {
            foreach (string container in Directory.GetDirectories(_state))
            {
                Commands.Run(RuncsBinary.Path, ["--root", _state, "delete", "--force", Path.GetFileName(container)]);
                Commands.Run("runc", ["--root", _state, "delete", "--force", Path.GetFileName(container)]);
            }

            Directory.Delete(_state, recursive: true);
        }

        if (_out is not null)
        {
            Directory.Delete(_out, recursive: true);
        }

        _bundle?.Dispose();
    }

    /// <summary>
    /// A shell hook that saves its stdin, its mount namespace, <c>ls /</c>, its cwd and (for hooks in the runtime's
    /// namespaces) the init's root as NAME.*, and appends NAME to the order file.
    /// </summary>
    private static JsonObject Recorder(string name, string outDirectory, bool inspectInit = false, string script = "", int? timeout = null)
    {
        string init = inspectInit
            ? $"pid=$(sed -n 's/.*\"pid\": *\\([0-9]*\\).*/\\1/p' \"$OUT/{name}.json\"); readlink /proc/$pid/root > \"$OUT/{name}.root\"; readlink /proc/$pid/ns/mnt > \"$OUT/{name}.initmnt\"; "
            : string.Empty;
        JsonObject hook = new()
        {
            ["path"] = "/bin/sh",
            ["args"] = new JsonArray("sh", "-c", $"cat > \"$OUT/{name}.json\"; {init}readlink /proc/self/ns/mnt > \"$OUT/{name}.mnt\"; ls / > \"$OUT/{name}.ls\"; pwd > \"$OUT/{name}.cwd\"; echo {name} >> \"$OUT/order\"; {script}"),
            ["env"] = new JsonArray($"OUT={outDirectory}", "PATH=/usr/bin:/bin"),
        };
        if (timeout is int seconds)
        {
            hook["timeout"] = seconds;
        }

        return hook;
    }

    private void SetHooks(JsonObject hooks)
    {
        _bundle.Config["hooks"] = hooks;
        _bundle.Save();
    }

    private string Read(string name) => File.ReadAllText(Path.Combine(_out, name)).Trim();

    private JsonObject Recorded(string name) => JsonNode.Parse(File.ReadAllText(Path.Combine(_out, name + ".json")))!.AsObject();

    private static string HostMountNamespace => new FileInfo("/proc/self/ns/mnt").LinkTarget!;

    private static string Binary(string runtime) => runtime == "runcs" ? RuncsBinary.Path : "runc";

    [TestCase("runcs")]
    [TestCase("runc")]
    public void AllHooks_RunInRuncsPlaces_AndSeeWhatRuncsHooksSee(string runtime)
    {
        _bundle.WithArgs("sh", "-c", $"readlink /proc/self/ns/mnt > {InContainerOut}/process.mnt; ls / > {InContainerOut}/process.ls; echo process >> {InContainerOut}/order");
        SetHooks(new JsonObject
        {
            ["prestart"] = new JsonArray(Recorder("prestart", _out, inspectInit: true)),
            ["createRuntime"] = new JsonArray(Recorder("createRuntime", _out, inspectInit: true)),
            ["createContainer"] = new JsonArray(Recorder("createContainer", _out)),
            ["startContainer"] = new JsonArray(Recorder("startContainer", InContainerOut)),
        });
        using RuncDevNullGuard guard = new();

        ProcessResult run = Commands.Run(Binary(runtime), ["--root", _state, "run", "--bundle", _bundle.Directory, $"hooks-{Guid.NewGuid():N}"[..16]]);

        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        Assert.That(File.ReadAllLines(Path.Combine(_out, "order")), Is.EqualTo(new[] { "prestart", "createRuntime", "createContainer", "startContainer", "process" }));

        // prestart and createRuntime: the runtime's namespaces, the init's namespaces exist, its root is not pivoted yet.
        foreach (string name in new[] { "prestart", "createRuntime" })
        {
            Assert.That(Read(name + ".mnt"), Is.EqualTo(HostMountNamespace), name);
            Assert.That(Read(name + ".initmnt"), Is.EqualTo(Read("process.mnt")), name + ": the init is in its own mount namespace");
            Assert.That(Read(name + ".root"), Is.EqualTo("/"), name + ": before pivot_root");
            Assert.That((string?)Recorded(name)["status"], Is.EqualTo("creating"));
        }

        // createContainer: the container's mount namespace, still the host's root, the rootfs as cwd.
        Assert.That(Read("createContainer.mnt"), Is.EqualTo(Read("process.mnt")));
        Assert.That(Read("createContainer.ls").Split('\n'), Is.EquivalentTo(Directory.GetFileSystemEntries("/").Select(Path.GetFileName).Where(n => !n!.StartsWith('.'))));
        Assert.That(Read("createContainer.cwd"), Is.EqualTo(_bundle.Rootfs));
        Assert.That((string?)Recorded("createContainer")["status"], Is.EqualTo("creating"));

        // startContainer: inside the container's root, as the user process sees it.
        Assert.That(Read("startContainer.mnt"), Is.EqualTo(Read("process.mnt")));
        Assert.That(Read("startContainer.ls"), Is.EqualTo(Read("process.ls")));
        Assert.That((string?)Recorded("startContainer")["status"], Is.EqualTo("created"));
        Assert.That((string?)Recorded("startContainer")["id"], Is.EqualTo((string?)Recorded("prestart")["id"]));
        if (runtime == "runcs")
        {
            // The runtime-spec's pid is the host's; runc 1.1 passes getpid() of its init, which is 1 in a pid namespace.
            Assert.That((int?)Recorded("createContainer")["pid"], Is.EqualTo((int?)Recorded("prestart")["pid"]));
            Assert.That((int?)Recorded("startContainer")["pid"], Is.EqualTo((int?)Recorded("prestart")["pid"]));
        }
    }

    [TestCase("runcs")]
    [TestCase("runc")]
    public void FailingCreateContainerHook_AbortsCreate_AndLeavesNothing(string runtime)
    {
        _bundle.WithArgs("sleep", "600");
        SetHooks(new JsonObject
        {
            ["prestart"] = new JsonArray(Recorder("prestart", _out)),
            ["createContainer"] = new JsonArray(Recorder("createContainer", _out, script: "exit 5")),
            ["startContainer"] = new JsonArray(Recorder("startContainer", InContainerOut)),
        });
        using RuncDevNullGuard guard = new();

        ProcessResult create = Commands.Run(Binary(runtime), ["--root", _state, "create", "--bundle", _bundle.Directory, $"hookfail-{Guid.NewGuid():N}"[..16]]);

        Assert.That(create.ExitCode, Is.Not.Zero);
        if (runtime == "runcs")
        {
            Assert.That(create.StandardError, Does.Contain("hooks.createContainer[0]").And.Contain("code 5"));
        }

        Assert.That(File.Exists(Path.Combine(_out, "startContainer.json")), Is.False);
        int pid = (int)Recorded("prestart")["pid"]!;
        Assert.That(File.Exists($"/proc/{pid}/stat") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal), Is.False, "the init is gone");
        Assert.That(Directory.Exists(_state) ? Directory.GetDirectories(_state) : [], Is.Empty, "no state");
        foreach (string hierarchy in new[] { "/sys/fs/cgroup/unified", "/sys/fs/cgroup/pids", "/sys/fs/cgroup/memory" })
        {
            Assert.That(Directory.Exists(hierarchy + _cgroupPath), Is.False, $"no cgroup in {hierarchy}");
        }
    }

    [Test]
    public void CreateContainerHookPastItsTimeout_IsKilled_AndCreateFails()
    {
        _bundle.WithArgs("true");
        SetHooks(new JsonObject { ["createContainer"] = new JsonArray(Recorder("createContainer", _out, script: "exec sleep 600", timeout: 1)) });

        ProcessResult create = Commands.Run(RuncsBinary.Path, ["--root", _state, "create", "--bundle", _bundle.Directory, "hook-slow"]);

        Assert.That(create.ExitCode, Is.Not.Zero);
        Assert.That(create.StandardError, Does.Contain("hooks.createContainer[0]").And.Contain("timeout"));
        Assert.That(Directory.Exists(_state) ? Directory.GetDirectories(_state) : [], Is.Empty);
    }

    [Test]
    public void FailingStartContainerHook_AfterStart_StopsTheContainerWithAMessage()
    {
        _bundle.WithArgs("sh", "-c", $"echo process >> {InContainerOut}/order");
        SetHooks(new JsonObject { ["startContainer"] = new JsonArray(Recorder("startContainer", InContainerOut, script: "exit 4")) });
        string id = $"hookstart-{Guid.NewGuid():N}"[..16];

        ProcessResult create = Commands.Run(RuncsBinary.Path, ["--root", _state, "create", "--bundle", _bundle.Directory, id]);
        Assert.That(create.ExitCode, Is.Zero, create.ToString());
        Assert.That(File.Exists(Path.Combine(_out, "order")), Is.False, "startContainer hooks wait for start");
        ProcessResult start = Commands.Run(RuncsBinary.Path, ["--root", _state, "start", id]);
        Assert.That(start.ExitCode, Is.Zero, start.ToString());
        for (int i = 0; i < 200 && !Commands.Run(RuncsBinary.Path, ["--root", _state, "state", id]).StandardOutput.Contains("\"stopped\"", StringComparison.Ordinal); i++)
        {
            Thread.Sleep(50);
        }

        Assert.That(Commands.Run(RuncsBinary.Path, ["--root", _state, "state", id]).StandardOutput, Does.Contain("\"stopped\""));
        Assert.That(File.ReadAllLines(Path.Combine(_out, "order")), Is.EqualTo(new[] { "startContainer" }), "the user process never ran");
    }

    [Test]
    public void FailingStartContainerHook_FailsRun_AndLeavesNothing()
    {
        _bundle.WithArgs("sh", "-c", $"echo process >> {InContainerOut}/order");
        SetHooks(new JsonObject { ["startContainer"] = new JsonArray(Recorder("startContainer", InContainerOut, script: "exit 4")) });

        ProcessResult run = Commands.Run(RuncsBinary.Path, ["--root", _state, "run", "--bundle", _bundle.Directory, "hook-startfail"]);

        Assert.That(run.ExitCode, Is.Not.Zero);
        Assert.That(run.StandardError, Does.Contain("hooks.startContainer[0]").And.Contain("code 4"));
        Assert.That(File.ReadAllLines(Path.Combine(_out, "order")), Is.EqualTo(new[] { "startContainer" }));
        Assert.That(Directory.Exists(_state) ? Directory.GetDirectories(_state) : [], Is.Empty);
    }

    [Test]
    public void Features_ListsTheSixHookKinds_AsRunc()
    {
        ProcessResult runcs = Commands.Run(RuncsBinary.Path, ["features"]);
        ProcessResult runc = Commands.Run("runc", ["features"]);

        Assert.That(runcs.ExitCode, Is.Zero, runcs.ToString());
        Assert.That(JsonNode.Parse(runcs.StandardOutput)!["hooks"]!.AsArray().Select(h => (string?)h), Is.EqualTo(JsonNode.Parse(runc.StandardOutput)!["hooks"]!.AsArray().Select(h => (string?)h)));
    }
}
