using Containers.Linux.Tests.Runc;

namespace Containers.Linux.Tests.Clients;

/// <summary>
/// Debian's podman 4.3 (through conmon) drives the runtime: <c>podman --runtime &lt;runtime&gt; run --rm</c>, <c>run -t</c>,
/// <c>exec</c> and <c>exec -t</c>, <c>run -d</c> + <c>stop</c> + <c>rm</c>, a missing command, a user namespace. The same
/// assertions run with runcs and with runc 1.1.5, the anchor; nothing may be left behind (containers, the runtime's
/// state, mounts, cgroups, network namespaces, conmon processes).
/// </summary>
[TestFixture("runcs")]
[TestFixture("runc")]
[NonParallelizable]
public sealed class PodmanRuntimeTests
{
    private const string Image = ClientImage.Name;
    private readonly string _runtimeName;
    private ClientImage? _image;
    private PodmanSandbox? _podman;
    private string[] _networkNamespaces = [];

    public PodmanRuntimeTests(string runtime)
    {
        _runtimeName = runtime;
    }

    private PodmanSandbox Podman => _podman!;

    [OneTimeSetUp]
    public async Task CreateSandbox()
    {
        RootRequired.Check();
        _networkNamespaces = ClientLeftovers.NetworkNamespaces();
        _image = await ClientImage.CreateAsync();
        _podman = PodmanSandbox.Create(ClientRuntime.Of(_runtimeName), _image);
    }

    [TearDown]
    public void NoContainerLeft()
    {
        if (_podman is null)
        {
            return;
        }

        ProcessResult all = Podman.Run("ps", "--all", "--quiet");
        Assert.That(all.StandardOutput.Trim(), Is.Empty, "podman containers left");
        Assert.That(ClientRuntime.ContainersIn(Podman.RuntimeRoot), Is.Empty, "containers left in the runtime's --root");
    }

    [OneTimeTearDown]
    public void RemoveSandbox()
    {
        if (_podman is null)
        {
            _image?.Dispose();
            return;
        }

        string directory = Podman.Directory;
        string cgroup = Podman.Cgroup;
        string[] mounts = ClientLeftovers.MountsBelow(directory);
        _podman.Dispose();
        _image?.Dispose();
        Assert.Multiple(() =>
        {
            Assert.That(mounts, Is.Empty, "mounts left below the sandbox");
            Assert.That(ClientLeftovers.CgroupDirectories(cgroup), Is.Empty, "cgroups left (a process still in them)");
            Assert.That(ClientLeftovers.ProcessesMentioning(directory), Is.Empty, "processes (conmon) left");
            Assert.That(ClientLeftovers.NetworkNamespaces(), Is.EquivalentTo(_networkNamespaces), "network namespaces left");
        });
    }

    [Test]
    public void RunRm_PrintsTheOutputAndReturnsTheExitCode()
    {
        ProcessResult run = Podman.Run(["run", "--rm", .. Podman.RunOptions, Image, "sh", "-c", "echo hello; cat /proc/1/comm; exit 3"]);

        Assert.That(run.ExitCode, Is.EqualTo(3), run.ToString());
        Assert.That(run.StandardOutput, Is.EqualTo("hello\nsh\n"));
    }

    [Test]
    public void RunTty_GivesTheContainerATerminal()
    {
        ProcessResult run = Podman.RunInTerminal(["run", "--rm", "-t", .. Podman.RunOptions, Image, "sh", "-c", "tty; [ -t 0 ] && echo stdin-is-a-tty; exit 4"]);

        Assert.That(run.ExitCode, Is.EqualTo(4), run.ToString());
        Assert.That(run.StandardOutput, Does.Contain("/dev/pts/0").And.Contain("stdin-is-a-tty"), run.ToString());
    }

    [Test]
    public void Exec_AndExecTty_RunInTheContainer_ThenStopAndRm()
    {
        string id = StartDetached("sleep", "1000");

        ProcessResult exec = Podman.Run("exec", id, "sh", "-c", "cat /proc/1/comm; hostname; [ $$ -ne 1 ] && echo not-pid-1; exit 7");
        ProcessResult execTty = Podman.RunInTerminal("exec", "-t", id, "sh", "-c", "tty; exit 5");
        ProcessResult stop = Podman.Run("stop", "--time", "1", id);
        ProcessResult exitCode = Podman.Run("inspect", "--format", "{{.State.ExitCode}}", id);
        ProcessResult rm = Podman.Run("rm", id);

        Assert.Multiple(() =>
        {
            Assert.That(exec.ExitCode, Is.EqualTo(7), exec.ToString());
            Assert.That(exec.StandardOutput, Is.EqualTo($"sleep\n{id[..12]}\nnot-pid-1\n"));
            Assert.That(execTty.ExitCode, Is.EqualTo(5), execTty.ToString());
            Assert.That(execTty.StandardOutput, Does.Contain("/dev/pts/"), execTty.ToString());
            Assert.That(stop.ExitCode, Is.Zero, stop.ToString());

            // sleep is pid 1 without a SIGTERM handler: the kernel drops the signal, podman kills after the timeout.
            Assert.That(exitCode.StandardOutput.Trim(), Is.EqualTo("137"), exitCode.ToString());
            Assert.That(rm.ExitCode, Is.Zero, rm.ToString());
        });
    }

    [Test]
    public void RunDetached_StopEndsAContainerThatHandlesSigterm()
    {
        string id = StartDetached("sh", "-c", "trap 'exit 0' TERM; echo ready; while :; do sleep 0.1; done");
        for (int i = 0; i < 100 && Podman.Run("logs", id).StandardOutput != "ready\n"; i++)
        {
            // The trap must be in place before SIGTERM comes, or pid 1 drops the signal.
            Thread.Sleep(100);
        }

        ProcessResult stop = Podman.Run("stop", "--time", "30", id);
        ProcessResult state = Podman.Run("inspect", "--format", "{{.State.Status}} {{.State.ExitCode}}", id);
        ProcessResult logs = Podman.Run("logs", id);
        ProcessResult rm = Podman.Run("rm", id);

        Assert.Multiple(() =>
        {
            Assert.That(stop.ExitCode, Is.Zero, stop.ToString());
            Assert.That(state.StandardOutput.Trim(), Is.EqualTo("exited 0"), state.ToString());
            Assert.That(logs.StandardOutput, Is.EqualTo("ready\n"), logs.ToString());
            Assert.That(rm.ExitCode, Is.Zero, rm.ToString());
        });
    }

    [Test]
    public void Run_MissingCommand_Is127WithRuncsWords()
    {
        ProcessResult run = Podman.Run(["run", "--rm", .. Podman.RunOptions, Image, "nosuchcommand"]);

        Assert.That(run.ExitCode, Is.EqualTo(127), run.ToString());
        Assert.That(run.StandardError, Does.Contain("exec: \"nosuchcommand\": executable file not found in $PATH"), run.ToString());
    }

    [Test]
    public void Run_NotExecutable_Is126()
    {
        ProcessResult run = Podman.Run(["run", "--rm", .. Podman.RunOptions, Image, "/etc/passwd"]);

        Assert.That(run.ExitCode, Is.EqualTo(126), run.ToString());
        Assert.That(run.StandardError, Does.Contain("exec: \"/etc/passwd\": permission denied"), run.ToString());
    }

    [Test]
    public void Run_UserNamespace_MapsRootToTheGivenRange()
    {
        ProcessResult run = Podman.Run(["run", "--rm", "--uidmap", "0:100000:65536", "--gidmap", "0:100000:65536", .. Podman.RunOptions,
            Image, "sh", "-c", "id -u; cat /proc/self/uid_map"]);

        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        string[] lines = run.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines[0], Is.EqualTo("0"));
        Assert.That(lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(new[] { "0", "100000", "65536" }));
    }

    [Test]
    public void RunReadOnly_GetsWritableTmpfsWithCopyUp()
    {
        // podman mounts /run, /tmp and /var/tmp as tmpfs with runc's "tmpcopyup" on a --read-only container.
        ProcessResult run = Podman.Run(["run", "--rm", "--read-only", .. Podman.RunOptions, Image, "sh", "-c",
            "touch /x 2>/dev/null || echo root-is-read-only; touch /tmp/a /run/b /var/tmp/c && echo tmpfs-writable; stat -c '%a %u' /tmp /var/tmp; "
            + "awk '$5==\"/tmp\" || $5==\"/run\" || $5==\"/var/tmp\" {print $5, $8, $9}' /proc/self/mountinfo | sort"]);

        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        Assert.That(run.StandardOutput, Is.EqualTo("root-is-read-only\ntmpfs-writable\n1777 0\n1777 0\n/run tmpfs tmpfs\n/tmp tmpfs tmpfs\n/var/tmp tmpfs tmpfs\n"), run.ToString());
    }

    [Test]
    public void RunTmpfsOverADirectory_StartsWithItsContent()
    {
        ProcessResult run = Podman.Run(["run", "--rm", "--tmpfs", "/etc:rw,mode=700", .. Podman.RunOptions, Image, "sh", "-c",
            "head -1 /etc/passwd; stat -c '%a %u' /etc; awk '$5==\"/etc\" {print $8, $9, $10}' /proc/self/mountinfo"]);

        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        Assert.That(run.StandardOutput, Is.EqualTo("root:x:0:0:root:/root:/bin/sh\n755 0\ntmpfs tmpfs rw,mode=700\n"), run.ToString());
    }

    [Test]
    public void RunReadOnly_InAUserNamespace_TmpfsBelongsToTheContainersRoot()
    {
        ProcessResult run = Podman.Run(["run", "--rm", "--read-only", "--uidmap", "0:100000:65536", "--gidmap", "0:100000:65536", .. Podman.RunOptions,
            Image, "sh", "-c", "touch /tmp/a /var/tmp/b && echo tmpfs-writable; stat -c '%u %g' /tmp /var/tmp; awk '$5==\"/var/tmp\" {print $10}' /proc/self/mountinfo"]);

        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        Assert.That(run.StandardOutput, Is.EqualTo("tmpfs-writable\n0 0\n0 0\nrw,uid=100000,gid=100000\n"), run.ToString());
    }

    private string StartDetached(params string[] command)
    {
        ProcessResult run = Podman.Run(["run", "-d", .. Podman.RunOptions, Image, .. command]);
        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        return run.StandardOutput.Trim();
    }
}
