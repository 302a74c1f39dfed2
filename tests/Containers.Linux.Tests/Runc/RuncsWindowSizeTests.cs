using System.Text.Json.Nodes;
using Containers.Testing;

namespace Containers.Linux.Tests.Runc;

/// <summary>
/// A foreground <c>run</c> with a terminal passes window-size changes of its own terminal on to the container's pty
/// (SIGWINCH → TIOCSWINSZ on the master), as runc does: checked under script(1), whose pty is resized from inside.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class RuncsWindowSizeTests
{
    /// <summary>
    /// Records the pty size at start and after SIGWINCH; the trap is set before "ready", and the loop is bounded so a
    /// missing resize fails instead of hanging.
    /// </summary>
    private const string ResizeWatcher = "trap 'stty size > /out/winch' WINCH; stty size > /out/before; touch /out/ready; i=0; while [ ! -s /out/winch ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done";

    private RuntimeScratch? _scratch;
    private TestBundle _bundle = null!;
    private string _state = null!;
    private string _out = null!;

    [SetUp]
    public void SetUp()
    {
        RootRequired.Check();
        if (!File.Exists("/usr/bin/script"))
        {
            Assert.Ignore("util-linux script(1) is needed to give the runtime a terminal");
        }

        _scratch = new RuntimeScratch("winch");
        (_bundle, _state, _out) = (_scratch.Bundle, _scratch.State, _scratch.Out);
    }

    [TearDown]
    public void TearDown() => _scratch?.Dispose();

    [TestCase("runcs")]
    [TestCase("runc")]
    public void ResizingTheRuntimesTerminal_ResizesTheContainersPty(string runtime)
    {
        string binary = runtime == "runcs" ? RuncsBinary.Path : "runc";
        _bundle.Process["terminal"] = true;
        MountOut();
        _bundle.WithArgs("sh", "-c", ResizeWatcher);
        string id = $"winch-{Guid.NewGuid():N}"[..16];
        AssertResizeReaches($"\"{binary}\" --root {_state} run --bundle {_bundle.Directory} {id}");
    }

    /// <summary>The same for a foreground <c>exec -t</c> into a running container without a terminal of its own.</summary>
    [TestCase("runcs")]
    [TestCase("runc")]
    public void ResizingTheRuntimesTerminal_ResizesAForegroundExecsPty(string runtime)
    {
        string binary = runtime == "runcs" ? RuncsBinary.Path : "runc";
        MountOut();
        _bundle.WithArgs("sleep", "1000");
        string id = $"winch-{Guid.NewGuid():N}"[..16];
        using (RuncDevNullGuard guard = new())
        {
            ProcessResult run = Commands.Run(binary, ["--root", _state, "run", "-d", "--bundle", _bundle.Directory, id]);
            Assert.That(run.ExitCode, Is.Zero, run.ToString());
        }

        File.WriteAllText(Path.Combine(_out, "watch.sh"), ResizeWatcher);
        AssertResizeReaches($"\"{binary}\" --root {_state} exec -t {id} sh /out/watch.sh");
    }

    private void MountOut()
    {
        _bundle.Config["mounts"]!.AsArray().Add(new JsonObject
        {
            ["destination"] = "/out",
            ["type"] = "bind",
            ["source"] = _out,
            ["options"] = new JsonArray("rbind", "rw"),
        });
        _bundle.Save();
    }

    /// <summary>Runs <paramref name="command"/> on script(1)'s terminal, resizes that terminal once the container is ready, checks the container saw it.</summary>
    private void AssertResizeReaches(string command)
    {
        string inner = $"{command} </dev/tty & while [ ! -e {_out}/ready ]; do sleep 0.1; done; stty rows 33 cols 77 </dev/tty; wait";
        string fifo = Path.Combine(_out, "stdin");

        ProcessResult result;
        using (RuncDevNullGuard guard = new())
        {
            // An empty, open fifo as script's stdin: no input and no EOF while the container runs.
            result = Commands.Run("/bin/sh", ["-c", "mkfifo \"$1\"; script -qec \"$0\" /dev/null <\"$1\" & exec 3>\"$1\"; wait $!", inner, fifo]);
        }

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That(File.ReadAllText(Path.Combine(_out, "before")).Trim(), Is.Not.EqualTo("33 77"));
        Assert.That(File.Exists(Path.Combine(_out, "winch")), Is.True, "the container got SIGWINCH");
        Assert.That(File.ReadAllText(Path.Combine(_out, "winch")).Trim(), Is.EqualTo("33 77"));
    }
}
