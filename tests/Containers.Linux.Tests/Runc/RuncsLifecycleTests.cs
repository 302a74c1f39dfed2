using System.Text.Json.Nodes;

namespace Containers.Linux.Tests.Runc;

/// <summary>create → state → start → state → kill → delete, with runc's flags and exit codes.</summary>
[TestFixture]
[NonParallelizable]
public sealed class RuncsLifecycleTests
{
    private TestBundle _bundle = null!;
    private StateRoot _root = null!;

    [SetUp]
    public void SetUp()
    {
        RootRequired.Check();
        _bundle = new TestBundle();
        _root = new StateRoot("runcs-life");
    }

    [TearDown]
    public void TearDown()
    {
        _root?.Dispose();
        _bundle?.Dispose();
    }

    private ProcessResult Runcs(params string[] args)
        => Commands.Run(RuncsBinary.Path, ["--root", _root.Path, .. args], _bundle.Directory);

    private JsonObject State(string id)
    {
        ProcessResult result = Runcs("state", id);
        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        return JsonNode.Parse(result.StandardOutput)!.AsObject();
    }

    private JsonObject WaitForStatus(string id, string status)
    {
        DateTime deadline = DateTime.UtcNow.AddSeconds(20);
        JsonObject state = State(id);
        while ((string?)state["status"] != status && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(20);
            state = State(id);
        }

        Assert.That((string?)state["status"], Is.EqualTo(status));
        return state;
    }

    [Test]
    public void CreateStartStateDelete_FollowsTheRuntimeSpecLifecycle()
    {
        string marker = Path.Combine(_bundle.Rootfs, "tmp", "started");
        _bundle.Config["root"]!["readonly"] = false;
        _bundle.WithArgs("touch", "/tmp/started");
        string pidFile = Path.Combine(_bundle.Directory, "pid");

        ProcessResult create = Runcs("create", "--pid-file", pidFile, "life");
        Assert.That(create.ExitCode, Is.Zero, create.ToString());

        JsonObject created = State("life");
        Assert.That((string?)created["status"], Is.EqualTo("created"));
        Assert.That((int)created["pid"]!, Is.GreaterThan(0));
        Assert.That(File.ReadAllText(pidFile), Is.EqualTo(((int)created["pid"]!).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.That((string?)created["bundle"], Is.EqualTo(_bundle.Directory));
        Assert.That((string?)created["id"], Is.EqualTo("life"));
        Assert.That(File.Exists(marker), Is.False, "the program must not run before start");

        ProcessResult start = Runcs("start", "life");
        Assert.That(start.ExitCode, Is.Zero, start.ToString());

        JsonObject stopped = WaitForStatus("life", "stopped");
        Assert.That((int)stopped["pid"]!, Is.Zero);
        Assert.That(File.Exists(marker), Is.True);

        ProcessResult startAgain = Runcs("start", "life");
        Assert.That(startAgain.ExitCode, Is.EqualTo(1));

        ProcessResult delete = Runcs("delete", "life");
        Assert.That(delete.ExitCode, Is.Zero, delete.ToString());
        Assert.That(_root.Containers, Is.Empty);
        Assert.That(Runcs("state", "life").ExitCode, Is.EqualTo(1));
    }

    [Test]
    public void Create_WithAnIdInUse_FailsAndKeepsTheFirst()
    {
        _bundle.WithArgs("true");
        Assert.That(Runcs("create", "dup").ExitCode, Is.Zero);

        ProcessResult second = Runcs("create", "dup");

        Assert.That(second.ExitCode, Is.EqualTo(1));
        Assert.That((string?)State("dup")["status"], Is.EqualTo("created"));
    }

    [TestCase("KILL")]
    [TestCase("SIGKILL")]
    [TestCase("9")]
    public void Kill_StopsARunningContainer(string signal)
    {
        _bundle.WithArgs("sleep", "60");
        Assert.That(Runcs("create", "victim").ExitCode, Is.Zero);
        Assert.That(Runcs("start", "victim").ExitCode, Is.Zero);
        Assert.That((string?)State("victim")["status"], Is.EqualTo("running"));

        ProcessResult kill = Runcs("kill", "victim", signal);

        Assert.That(kill.ExitCode, Is.Zero, kill.ToString());
        WaitForStatus("victim", "stopped");
        Assert.That(Runcs("kill", "victim", "KILL").ExitCode, Is.EqualTo(1), "killing a stopped container is an error, as in runc");
    }

    [Test]
    public void Kill_WithTermAndAHandler_ReachesPidOne()
    {
        // A pid namespace's init gets only the signals it handles: a TERM sent before the shell set its trap
        // would be dropped, so the kill waits for the marker the shell writes after the trap.
        string ready = Path.Combine(_bundle.Rootfs, "tmp", "trap-set");
        _bundle.Config["root"]!["readonly"] = false;
        _bundle.WithArgs("sh", "-c", "trap 'exit 0' TERM; touch /tmp/trap-set; while true; do sleep 0.05; done");
        Assert.That(Runcs("create", "term").ExitCode, Is.Zero);
        Assert.That(Runcs("start", "term").ExitCode, Is.Zero);
        DateTime deadline = DateTime.UtcNow.AddSeconds(20);
        while (!File.Exists(ready) && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(20);
        }

        Assert.That(File.Exists(ready), Is.True, "the shell set its trap");
        Assert.That(Runcs("kill", "term").ExitCode, Is.Zero);

        WaitForStatus("term", "stopped");
    }

    [Test]
    public void Delete_OfARunningContainer_NeedsForce()
    {
        _bundle.WithArgs("sleep", "60");
        Assert.That(Runcs("run", "-d", "busy").ExitCode, Is.Zero);
        WaitForStatus("busy", "running");

        ProcessResult refused = Runcs("delete", "busy");
        Assert.That(refused.ExitCode, Is.EqualTo(1));
        Assert.That(refused.StandardError, Does.Contain("not stopped"));

        ProcessResult forced = Runcs("delete", "--force", "busy");
        Assert.That(forced.ExitCode, Is.Zero, forced.ToString());
        Assert.That(_root.Containers, Is.Empty);
    }

    [Test]
    public void Delete_OfACreatedContainer_KillsItsInit()
    {
        _bundle.WithArgs("true");
        Assert.That(Runcs("create", "never-started").ExitCode, Is.Zero);
        int pid = (int)State("never-started")["pid"]!;

        Assert.That(Runcs("delete", "never-started").ExitCode, Is.Zero);

        Assert.That(Directory.Exists($"/proc/{pid}") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal), Is.False);
        Assert.That(_root.Containers, Is.Empty);
    }

    [Test]
    public void List_ShowsEveryContainerWithItsStatus()
    {
        _bundle.WithArgs("true");
        Assert.That(Runcs("create", "a1").ExitCode, Is.Zero);
        Assert.That(Runcs("create", "b2").ExitCode, Is.Zero);

        ProcessResult quiet = Runcs("list", "-q");
        ProcessResult json = Runcs("list", "--format", "json");
        ProcessResult table = Runcs("list");

        Assert.That(quiet.StandardOutput, Is.EqualTo("a1\nb2\n"));
        JsonArray items = JsonNode.Parse(json.StandardOutput)!.AsArray();
        Assert.That(items.Select(i => (string?)i!["status"]), Is.EqualTo(new[] { "created", "created" }));
        Assert.That(table.StandardOutput, Does.StartWith("ID").And.Contain("a1").And.Contain("created"));
    }

    [Test]
    public void UnknownVerbAndFlag_ExitWithOne()
    {
        Assert.That(Runcs("frobnicate").ExitCode, Is.EqualTo(1));
        Assert.That(Runcs("run", "--no-such-flag", "x").ExitCode, Is.EqualTo(1));
        Assert.That(Runcs("state", "does-not-exist").ExitCode, Is.EqualTo(1));
    }
}
