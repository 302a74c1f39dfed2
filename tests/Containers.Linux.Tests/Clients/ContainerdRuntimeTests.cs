using Containers.Linux.Tests.Runc;

namespace Containers.Linux.Tests.Clients;

/// <summary>
/// Debian's containerd 1.6 (through containerd-shim-runc-v2) drives the runtime with
/// <c>ctr run --runc-binary &lt;runtime&gt;</c>: <c>run --rm</c>, <c>run -t</c>, <c>task exec</c> (and <c>-t</c>), <c>task ps</c>,
/// <c>task pause/resume</c>, <c>task kill</c> (and <c>--all</c>), a missing command (the error comes from the runtime's
/// JSON log). The same assertions run with runcs and with runc 1.1.5; nothing may be left behind (tasks,
/// containers, the runtime's state, mounts, cgroups, shims).
/// </summary>
[TestFixture("runcs")]
[TestFixture("runc")]
[NonParallelizable]
public sealed class ContainerdRuntimeTests
{
    private const string Image = ClientImage.Name;
    private readonly string _runtimeName;
    private ClientImage? _image;
    private ContainerdSandbox? _containerd;

    public ContainerdRuntimeTests(string runtime)
    {
        _runtimeName = runtime;
    }

    private ContainerdSandbox Containerd => _containerd!;

    [OneTimeSetUp]
    public async Task CreateSandbox()
    {
        RootRequired.Check();
        _image = await ClientImage.CreateAsync();
        _containerd = ContainerdSandbox.Create(ClientRuntime.Of(_runtimeName), _image);
    }

    [TearDown]
    public void NoContainerLeft()
    {
        if (_containerd is null)
        {
            return;
        }

        ProcessResult tasks = Containerd.Ctr("task", "ls", "--quiet");
        ProcessResult containers = Containerd.Ctr("containers", "ls", "--quiet");
        Assert.That(tasks.StandardOutput.Trim(), Is.Empty, "tasks left");
        Assert.That(containers.StandardOutput.Trim(), Is.Empty, "containers left");
        Assert.That(ClientRuntime.ContainersIn(Containerd.RuntimeStateRoot), Is.Empty, "containers left in the runtime's --root");
    }

    [OneTimeTearDown]
    public void RemoveSandbox()
    {
        if (_containerd is null)
        {
            _image?.Dispose();
            return;
        }

        string directory = Containerd.Directory;
        string cgroup = Containerd.Cgroup;
        string ns = Containerd.Namespace;
        string[] mounts = ClientLeftovers.MountsBelow(directory);
        _containerd.Dispose();
        _image?.Dispose();
        Assert.Multiple(() =>
        {
            Assert.That(mounts, Is.Empty, "mounts left below the sandbox");
            Assert.That(ClientLeftovers.CgroupDirectories(cgroup), Is.Empty, "cgroups left (a process still in them)");
            Assert.That(ClientLeftovers.ProcessesMentioning(ns), Is.Empty, "shims left");
        });
    }

    [Test]
    public void RunRm_PrintsTheOutputAndReturnsTheExitCode()
    {
        string id = NewId();
        ProcessResult run = Containerd.Ctr(["run", "--rm", .. Containerd.RunOptions(id), Image, id, "sh", "-c", "echo hello; cat /proc/1/comm; exit 3"]);

        Assert.That(run.ExitCode, Is.EqualTo(3), run.ToString());
        Assert.That(run.StandardOutput, Is.EqualTo("hello\nsh\n"));
    }

    [Test]
    public void RunTty_GivesTheContainerATerminal()
    {
        string id = NewId();
        ProcessResult run = Containerd.CtrInTerminal(["run", "--rm", "-t", .. Containerd.RunOptions(id), Image, id, "sh", "-c", "tty; [ -t 0 ] && echo stdin-is-a-tty; exit 4"]);

        Assert.That(run.ExitCode, Is.EqualTo(4), run.ToString());
        Assert.That(run.StandardOutput, Does.Contain("/dev/pts/0").And.Contain("stdin-is-a-tty"), run.ToString());
    }

    [Test]
    public void TaskExec_ExecTty_Ps_PauseResume_Kill()
    {
        string id = StartDetached("sleep", "1000");
        string initPid = InitPid(id);

        ProcessResult exec = Containerd.Ctr("task", "exec", "--exec-id", "e1", id, "sh", "-c", "cat /proc/1/comm; [ $$ -ne 1 ] && echo not-pid-1; exit 6");
        ProcessResult execTty = Containerd.CtrInTerminal("task", "exec", "-t", "--exec-id", "e2", id, "sh", "-c", "tty; exit 2");
        ProcessResult ps = Containerd.Ctr("task", "ps", id);
        ProcessResult pause = Containerd.Ctr("task", "pause", id);
        string paused = Status(id);
        ProcessResult resume = Containerd.Ctr("task", "resume", id);
        string resumed = Status(id);
        ProcessResult kill = Containerd.Ctr("task", "kill", "--signal", "SIGKILL", id);
        string stopped = AwaitStopped(id);
        ProcessResult rm = Containerd.Ctr("task", "rm", id);
        ProcessResult containerRm = Containerd.Ctr("containers", "rm", id);

        Assert.Multiple(() =>
        {
            Assert.That(exec.ExitCode, Is.EqualTo(6), exec.ToString());
            Assert.That(exec.StandardOutput, Is.EqualTo("sleep\nnot-pid-1\n"));
            Assert.That(execTty.ExitCode, Is.EqualTo(2), execTty.ToString());
            Assert.That(execTty.StandardOutput, Does.Contain("/dev/pts/"), execTty.ToString());
            Assert.That(ps.ExitCode, Is.Zero, ps.ToString());
            Assert.That(ps.StandardOutput, Does.Contain(initPid), ps.ToString());
            Assert.That(pause.ExitCode, Is.Zero, pause.ToString());
            Assert.That(paused, Is.EqualTo("PAUSED"));
            Assert.That(resume.ExitCode, Is.Zero, resume.ToString());
            Assert.That(resumed, Is.EqualTo("RUNNING"));
            Assert.That(kill.ExitCode, Is.Zero, kill.ToString());
            Assert.That(stopped, Is.EqualTo("STOPPED"));
            Assert.That(rm.ExitCode, Is.Zero, rm.ToString());
            Assert.That(rm.StandardError, Does.Contain("exit code 137"), rm.ToString());
            Assert.That(containerRm.ExitCode, Is.Zero, containerRm.ToString());
        });
    }

    [Test]
    public void TaskKillAll_EndsEveryProcessOfTheContainer()
    {
        string id = StartDetached("sh", "-c", "sleep 1000 & sleep 1000");

        ProcessResult sigterm = Containerd.Ctr("task", "kill", id);
        string afterSigterm = Status(id);
        ProcessResult killAll = Containerd.Ctr("task", "kill", "--all", "--signal", "SIGKILL", id);
        string stopped = AwaitStopped(id);
        ProcessResult rm = Containerd.Ctr("task", "rm", id);
        ProcessResult containerRm = Containerd.Ctr("containers", "rm", id);

        Assert.Multiple(() =>
        {
            // sh is pid 1 and has no SIGTERM handler: the kernel drops the signal, as for runc.
            Assert.That(sigterm.ExitCode, Is.Zero, sigterm.ToString());
            Assert.That(afterSigterm, Is.EqualTo("RUNNING"));
            Assert.That(killAll.ExitCode, Is.Zero, killAll.ToString());
            Assert.That(stopped, Is.EqualTo("STOPPED"));
            Assert.That(rm.ExitCode, Is.Zero, rm.ToString());
            Assert.That(containerRm.ExitCode, Is.Zero, containerRm.ToString());
        });
    }

    [Test]
    public void Run_MissingCommand_FailsCreateWithTheRuntimesLoggedError()
    {
        string id = NewId();
        ProcessResult run = Containerd.Ctr(["run", "--rm", .. Containerd.RunOptions(id), Image, id, "nosuchcommand"]);

        Assert.That(run.ExitCode, Is.Not.Zero, run.ToString());

        // The shim reads the message from the runtime's --log (JSON); without it ctr says "unable to retrieve OCI runtime error".
        Assert.That(run.StandardError, Does.Contain("OCI runtime create failed").And.Contain("exec: \"nosuchcommand\": executable file not found in $PATH"), run.ToString());
    }

    [Test]
    public void Run_MissingCwd_IsCreatedAsByRunc()
    {
        string id = NewId();
        ProcessResult run = Containerd.Ctr(["run", "--rm", "--cwd", "/made/by/runtime", .. Containerd.RunOptions(id), Image, id, "sh", "-c", "pwd; stat -c '%a %u' /made /made/by/runtime"]);

        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        Assert.That(run.StandardOutput, Is.EqualTo("/made/by/runtime\n755 0\n755 0\n"), run.ToString());
    }

    private static string NewId() => "c" + Guid.NewGuid().ToString("N")[..10];

    private string StartDetached(params string[] command)
    {
        string id = NewId();
        ProcessResult run = Containerd.Ctr(["run", "-d", .. Containerd.RunOptions(id), Image, id, .. command]);
        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        return id;
    }

    /// <summary>The STATUS column of <c>ctr task ls</c> for <paramref name="id"/>.</summary>
    private string Status(string id)
        => Containerd.Ctr("task", "ls").StandardOutput.Split('\n').Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .FirstOrDefault(f => f.Length == 3 && f[0] == id)?[2] ?? "absent";

    private string InitPid(string id)
        => Containerd.Ctr("task", "ls").StandardOutput.Split('\n').Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .FirstOrDefault(f => f.Length == 3 && f[0] == id)?[1] ?? "absent";

    private string AwaitStopped(string id)
    {
        string status = Status(id);
        for (int i = 0; i < 100 && status != "STOPPED"; i++)
        {
            Thread.Sleep(100);
            status = Status(id);
        }

        return status;
    }
}
