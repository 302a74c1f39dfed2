namespace Containers.Linux.Tests.Runc;

[TestFixture]
[NonParallelizable]
public sealed class RuncsRunTests
{
    private TestBundle _bundle = null!;
    private StateRoot _root = null!;

    [SetUp]
    public void SetUp()
    {
        RootRequired.Check();
        _bundle = new TestBundle();
        _root = new StateRoot("runcs-run");
    }

    [TearDown]
    public void TearDown()
    {
        _root?.Dispose();
        _bundle?.Dispose();
    }

    private ProcessResult Runcs(params string[] args)
        => Commands.Run(RuncsBinary.Path, ["--root", _root.Path, .. args], _bundle.Directory);

    [Test]
    public void Run_ReturnsTheContainersExitCode()
    {
        _bundle.WithArgs("sh", "-c", "exit 7");

        ProcessResult result = Runcs("run", "exit-code");

        Assert.That(result.ExitCode, Is.EqualTo(7), result.ToString());
    }

    [Test]
    public void Run_PassesStdoutThroughAndSetsTheHostname()
    {
        _bundle.WithArgs("sh", "-c", "echo hello from the container; hostname");

        ProcessResult result = Runcs("run", "stdout");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(result.StandardOutput, Is.EqualTo("hello from the container\nruncs-test\n"));
    }

    [Test]
    public void Run_ChangesToTheConfiguredCwd()
    {
        _bundle.Process["cwd"] = "/tmp";
        _bundle.WithArgs("pwd");

        ProcessResult result = Runcs("run", "cwd");

        Assert.That(result.StandardOutput, Is.EqualTo("/tmp\n"), result.ToString());
    }

    [Test]
    public void Run_ContainerProcessIsPidOneOfItsOwnNamespace()
    {
        _bundle.WithArgs("sh", "-c", "echo $$");

        ProcessResult result = Runcs("run", "pid1");

        Assert.That(result.StandardOutput, Is.EqualTo("1\n"), result.ToString());
    }

    [Test]
    public void Run_RemovesItsStateWhenTheContainerExits()
    {
        _bundle.WithArgs("true");

        ProcessResult result = Runcs("run", "cleanup");

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(_root.Containers, Is.Empty);
    }

    [Test]
    public void Run_OfAMissingProgram_FailsWithTheExecStep()
    {
        _bundle.WithArgs("no-such-program");

        ProcessResult result = Runcs("run", "missing");

        Assert.That(result.ExitCode, Is.EqualTo(1), result.ToString());
        Assert.That(result.StandardError, Does.Contain("Execve").And.Contain("no-such-program"));
        Assert.That(_root.Containers, Is.Empty, "a failed start must not leave state behind");
    }

    [Test]
    public void Run_KilledContainer_Returns128PlusTheSignal()
    {
        _bundle.WithArgs("sleep", "60");
        using System.Diagnostics.Process run = Commands.Start(RuncsBinary.Path, "--root", _root.Path, "run", "-b", _bundle.Directory, "killed");
        WaitForStatus("killed", "running");

        ProcessResult kill = Runcs("kill", "killed", "KILL");
        Assert.That(kill.ExitCode, Is.Zero, kill.ToString());

        Assert.That(run.WaitForExit(10_000), Is.True);
        Assert.That(run.ExitCode, Is.EqualTo(128 + 9));
    }

    [Test]
    public void Run_ForwardsSignalsToTheContainer()
    {
        _bundle.WithArgs("sh", "-c", "trap 'exit 42' TERM; while true; do sleep 0.05; done");
        using System.Diagnostics.Process run = Commands.Start(RuncsBinary.Path, "--root", _root.Path, "run", "-b", _bundle.Directory, "forwarded");
        WaitForStatus("forwarded", "running");
        Thread.Sleep(200);

        Assert.That(Commands.Run("kill", ["-TERM", run.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]).ExitCode, Is.Zero);

        Assert.That(run.WaitForExit(10_000), Is.True);
        Assert.That(run.ExitCode, Is.EqualTo(42));
    }

    [Test]
    public void Run_ProcessUserAndGroupsAreApplied()
    {
        _bundle.Process["user"] = System.Text.Json.Nodes.JsonNode.Parse("""{"uid": 1000, "gid": 1001, "additionalGids": [10, 20]}""");
        _bundle.WithArgs("sh", "-c", "id -u; id -g; id -G");

        ProcessResult result = Runcs("run", "user");

        Assert.That(result.StandardOutput, Is.EqualTo("1000\n1001\n1001 10 20\n"), result.ToString());
    }

    [Test]
    public void Run_OomScoreAdjIsApplied()
    {
        _bundle.Process["oomScoreAdj"] = 123;
        _bundle.WithArgs("cat", "/proc/self/oom_score_adj");

        ProcessResult result = Runcs("run", "oom");

        Assert.That(result.StandardOutput, Is.EqualTo("123\n"), result.ToString());
    }

    [Test]
    public void Run_NamespacedSysctlIsWritten()
    {
        _bundle.Config["linux"]!["sysctl"] = System.Text.Json.Nodes.JsonNode.Parse("""{"net.ipv4.ip_forward": "1", "kernel.shmmni": "1234"}""");
        _bundle.WithArgs("cat", "/proc/sys/net/ipv4/ip_forward", "/proc/sys/kernel/shmmni");

        ProcessResult result = Runcs("run", "sysctl");

        Assert.That(result.StandardOutput, Is.EqualTo("1\n1234\n"), result.ToString());
    }

    [Test]
    public void Run_RlimitsAreApplied()
    {
        _bundle.WithArgs("sh", "-c", "ulimit -n");

        ProcessResult result = Runcs("run", "rlimit");

        Assert.That(result.StandardOutput, Is.EqualTo("1024\n"), result.ToString());
    }

    private void WaitForStatus(string id, string status)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(20);
        string last = string.Empty;
        while (DateTime.UtcNow < deadline)
        {
            ProcessResult state = Runcs("state", id);
            last = state.ToString();
            if (state.ExitCode == 0 && state.StandardOutput.Contains($"\"status\": \"{status}\"", StringComparison.Ordinal))
            {
                return;
            }

            Thread.Sleep(20);
        }

        Assert.Fail($"{id} never reached {status}: {last}");
    }
}
