using System.Text.Json.Nodes;
using Containers.Testing;

namespace Containers.Linux.Tests.Runc;

/// <summary>
/// OCI hooks in the runtime's namespaces: state on stdin, args, env, cwd, order, failure and
/// timeout semantics; the ordering test runs the same bundle under runcs and runc 1.1.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class RuncsHookTests
{
    private RuntimeScratch? _scratch;
    private TestBundle _bundle = null!;
    private string _state = null!;
    private string _out = null!;

    [SetUp]
    public void SetUp()
    {
        RootRequired.Check();
        _scratch = new RuntimeScratch("hook");
        (_bundle, _state, _out) = (_scratch.Bundle, _scratch.State, _scratch.Out);
    }

    [TearDown]
    public void TearDown() => _scratch?.Dispose();

    /// <summary>A host shell hook: saves its stdin as NAME.json, its cwd as NAME.cwd, appends NAME to order.</summary>
    private static JsonObject Recorder(string name, string script = "", int? timeout = null)
    {
        JsonObject hook = new()
        {
            ["path"] = "/bin/sh",
            ["args"] = new JsonArray("sh", "-c", $"cat > \"$OUT/{name}.json\"; pwd > \"$OUT/{name}.cwd\"; echo {name} >> \"$OUT/order\"; {script}"),
        };
        if (timeout is int seconds)
        {
            hook["timeout"] = seconds;
        }

        return hook;
    }

    private void SetHooks(JsonObject hooks)
    {
        foreach ((string _, JsonNode? list) in hooks)
        {
            foreach (JsonNode? hook in list!.AsArray())
            {
                hook!["env"] = new JsonArray($"OUT={_out}", "PATH=/usr/bin:/bin");
            }
        }

        _bundle.Config["hooks"] = hooks;
        _bundle.Save();
    }

    private JsonObject Recorded(string name) => JsonNode.Parse(File.ReadAllText(Path.Combine(_out, name + ".json")))!.AsObject();

    [TestCase("runcs")]
    [TestCase("runc")]
    public void Hooks_RunInOrder_WithTheStateOnStdin(string runtime)
    {
        string binary = runtime == "runcs" ? RuncsBinary.Path : "runc";
        string id = $"hook-{Guid.NewGuid():N}"[..16];
        _bundle.WithArgs("true");
        SetHooks(new JsonObject
        {
            ["prestart"] = new JsonArray(Recorder("prestart")),
            ["createRuntime"] = new JsonArray(Recorder("createRuntime")),
            ["poststart"] = new JsonArray(Recorder("poststart")),
            ["poststop"] = new JsonArray(Recorder("poststop")),
        });
        using RuncDevNullGuard guard = new();

        ProcessResult run = Commands.Run(binary, ["--root", _state, "run", "--bundle", _bundle.Directory, id]);

        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        Assert.That(File.ReadAllLines(Path.Combine(_out, "order")), Is.EqualTo(new[] { "prestart", "createRuntime", "poststart", "poststop" }));
        JsonObject prestart = Recorded("prestart");
        Assert.That((string?)prestart["id"], Is.EqualTo(id));
        Assert.That((string?)prestart["bundle"], Is.EqualTo(_bundle.Directory));
        Assert.That((int?)prestart["pid"], Is.GreaterThan(0));
        Assert.That((string?)prestart["status"], Is.EqualTo("creating"));
        Assert.That((int?)Recorded("createRuntime")["pid"], Is.EqualTo((int?)prestart["pid"]));
        Assert.That((string?)Recorded("poststart")["status"], Is.EqualTo("created"), "runc 1.1 passes the state it read before the release");
        Assert.That((string?)Recorded("poststop")["status"], Is.EqualTo("stopped"));
        Assert.That(File.ReadAllText(Path.Combine(_out, "prestart.cwd")).Trim(), Is.EqualTo(_bundle.Directory));
    }

    [TestCase("runcs")]
    [TestCase("runc")]
    public void FailingPrestart_AbortsCreate_KillsTheInitAndLeavesNothing(string runtime)
    {
        string binary = runtime == "runcs" ? RuncsBinary.Path : "runc";
        _bundle.WithArgs("sleep", "600");
        SetHooks(new JsonObject
        {
            ["prestart"] = new JsonArray(Recorder("prestart", "exit 7")),
            ["createRuntime"] = new JsonArray(Recorder("createRuntime")),
        });
        using RuncDevNullGuard guard = new();

        ProcessResult create = Commands.Run(binary, ["--root", _state, "create", "--bundle", _bundle.Directory, "hook-fail"]);

        Assert.That(create.ExitCode, Is.Not.Zero);
        Assert.That(File.Exists(Path.Combine(_out, "createRuntime.json")), Is.False, "hooks after the failed one do not run");
        int pid = (int)Recorded("prestart")["pid"]!;
        Assert.That(File.Exists($"/proc/{pid}/stat") && !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal), Is.False, "the init is gone");
        Assert.That(Directory.Exists(_state) ? Directory.GetDirectories(_state) : [], Is.Empty);
    }

    [Test]
    public void HookPastItsTimeout_IsKilled_AndCreateFails()
    {
        _bundle.WithArgs("true");
        SetHooks(new JsonObject { ["prestart"] = new JsonArray(Recorder("prestart", "exec sleep 600", timeout: 1)) });

        ProcessResult create = Commands.Run(RuncsBinary.Path, ["--root", _state, "create", "--bundle", _bundle.Directory, "hook-slow"]);

        Assert.That(create.ExitCode, Is.Not.Zero);
        Assert.That(create.StandardError, Does.Contain("hooks.prestart[0]").And.Contain("timeout"));
        Assert.That(Directory.Exists(_state) ? Directory.GetDirectories(_state) : [], Is.Empty);
    }

    [Test]
    public void FailingPoststop_IsAWarning_AndDeleteSucceeds()
    {
        _bundle.WithArgs("true");
        SetHooks(new JsonObject { ["poststop"] = new JsonArray(Recorder("poststop", "exit 3")) });

        ProcessResult run = Commands.Run(RuncsBinary.Path, ["--root", _state, "run", "--bundle", _bundle.Directory, "hook-stop"]);

        Assert.That(run.ExitCode, Is.Zero, run.ToString());
        Assert.That(run.StandardError, Does.Contain("warning").And.Contain("hooks.poststop[0]"));
        Assert.That((string?)Recorded("poststop")["status"], Is.EqualTo("stopped"));
        Assert.That(Directory.Exists(_state) ? Directory.GetDirectories(_state) : [], Is.Empty);
    }
}
