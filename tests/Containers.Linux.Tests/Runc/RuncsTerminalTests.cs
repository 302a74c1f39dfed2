using System.Text.Json.Nodes;
using Containers.Testing;
using Microsoft.Win32.SafeHandles;

namespace Containers.Linux.Tests.Runc;

/// <summary>
/// process.terminal with --console-socket: the same bundle and the same receiver under runcs and
/// runc 1.1; the receiver gets the pty master, types commands and reads what the container prints.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class RuncsTerminalTests
{
    private const string Script = "tty; stty size; exec 3</dev/tty && echo ctty-ok; [ /dev/console -ef /proc/self/fd/0 ] && echo console-is-pty; echo done-$((6*7)); exit 3\n";
    private TestBundle _bundle = null!;
    private string _state = null!;

    [SetUp]
    public void SetUp()
    {
        RootRequired.Check();
        _bundle = new TestBundle();
        _bundle.Process["terminal"] = true;
        _bundle.Process["consoleSize"] = new JsonObject { ["height"] = 33, ["width"] = 111 };
        _bundle.WithArgs("sh");
        _state = Path.Combine(Path.GetTempPath(), $"terminal-state-{Guid.NewGuid():N}");
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

        _bundle?.Dispose();
    }

    [TestCase("runcs")]
    [TestCase("runc")]
    public void ConsoleSocket_ReceiverGetsTheMaster_TypesAndReads(string runtime)
    {
        string binary = runtime == "runcs" ? RuncsBinary.Path : "runc";
        string id = $"tty-{Guid.NewGuid():N}"[..16];
        using RuncDevNullGuard guard = new();
        using ConsoleSocketReceiver receiver = new();

        ProcessResult create = Commands.Run(binary, ["--root", _state, "create", "--console-socket", receiver.Path, "--bundle", _bundle.Directory, id]);
        Assert.That(create.ExitCode, Is.Zero, create.ToString());
        (string name, SafeFileHandle master) = receiver.Receive();
        using (master)
        {
            Assert.That(name, Is.EqualTo("/dev/ptmx"), "the message body names the master, as runc sends it");
            ProcessResult start = Commands.Run(binary, ["--root", _state, "start", id]);
            Assert.That(start.ExitCode, Is.Zero, start.ToString());
            ConsoleSocketReceiver.Type(master, Script);
            string output = ConsoleSocketReceiver.ReadUntil(master, "done-42");
            string[] lines = output.Split(["\r\n", "\n"], StringSplitOptions.TrimEntries);

            Assert.That(lines, Does.Contain("/dev/pts/0"), output);
            Assert.That(lines, Does.Contain("33 111"), output);
            Assert.That(lines, Does.Contain("ctty-ok"), output);
            Assert.That(lines, Does.Contain("console-is-pty"), output);
        }

        DateTime deadline = DateTime.UtcNow.AddSeconds(30);
        string status;
        do
        {
            ProcessResult state = Commands.Run(binary, ["--root", _state, "state", id]);
            status = (string?)JsonNode.Parse(state.StandardOutput)?["status"] ?? string.Empty;
        }
        while (status != "stopped" && DateTime.UtcNow < deadline);
        Assert.That(status, Is.EqualTo("stopped"), "exit in the terminal ends the container");
        Assert.That(Commands.Run(binary, ["--root", _state, "delete", id]).ExitCode, Is.Zero);
    }

    [TestCase("runcs")]
    [TestCase("runc")]
    public void DetachedTerminalWithoutConsoleSocket_IsRefusedAndLeavesNothing(string runtime)
    {
        string binary = runtime == "runcs" ? RuncsBinary.Path : "runc";
        using RuncDevNullGuard guard = new();

        ProcessResult create = Commands.Run(binary, ["--root", _state, "create", "--bundle", _bundle.Directory, "tty-none"]);

        Assert.That(create.ExitCode, Is.Not.Zero);
        Assert.That(create.StandardError, Does.Contain("cannot allocate tty if").And.Contain("will detach without setting console socket"));
        Assert.That(Directory.Exists(_state) ? Directory.GetDirectories(_state) : [], Is.Empty);
    }

    [TestCase("runcs")]
    [TestCase("runc")]
    public void ConsoleSocketWithoutTerminal_IsRefusedAndLeavesNothing(string runtime)
    {
        string binary = runtime == "runcs" ? RuncsBinary.Path : "runc";
        _bundle.Process["terminal"] = false;
        _bundle.Save();
        using RuncDevNullGuard guard = new();
        using ConsoleSocketReceiver receiver = new();

        ProcessResult create = Commands.Run(binary, ["--root", _state, "create", "--console-socket", receiver.Path, "--bundle", _bundle.Directory, "tty-none"]);

        Assert.That(create.ExitCode, Is.Not.Zero);
        Assert.That(create.StandardError, Does.Contain("cannot use console socket if"));
        Assert.That(Directory.Exists(_state) ? Directory.GetDirectories(_state) : [], Is.Empty);
    }

    [TestCase("runcs")]
    [TestCase("runc")]
    public void ForegroundRunInATerminal_ProxiesThePty_AndReturnsTheExitCode(string runtime)
    {
        if (!File.Exists("/usr/bin/script"))
        {
            Assert.Ignore("util-linux script(1) is needed to give the runtime a terminal");
        }

        string binary = runtime == "runcs" ? RuncsBinary.Path : "runc";
        string id = $"fg-{Guid.NewGuid():N}"[..16];
        string inner = $"stty rows 30 cols 90; '{binary}' --root '{_state}' run --bundle '{_bundle.Directory}' {id}; echo EXIT=$?";
        using RuncDevNullGuard guard = new();

        ProcessResult result = Commands.Run("/bin/sh", ["-c", "(printf 'tty; stty size; echo hi-$((6*7)); exit 5\n'; sleep 2) | script -qec \"$0\" /dev/null", inner]);
        string[] lines = result.StandardOutput.Split(["\r\n", "\n"], StringSplitOptions.TrimEntries);

        Assert.That(lines, Does.Contain("/dev/pts/0"), result.ToString());
        if (runtime == "runcs")
        {
            // runcs sizes the pty before it copies any input into it. runc 1.1.5 resizes it from its
            // console goroutine, racing the shell's first `stty size` (seen: consoleSize's "33 111"
            // under load), so the oracle is not held to it.
            Assert.That(lines, Does.Contain("30 90"), "the pty gets the runtime's terminal size");
        }

        Assert.That(lines, Does.Contain("hi-42"));
        Assert.That(lines, Does.Contain("EXIT=5"), "the container's exit code");
        Assert.That(Directory.Exists(_state) ? Directory.GetDirectories(_state) : [], Is.Empty);
    }

    [Test]
    public void ForegroundRunWithTerminal_StdinNotATerminal_IsRefusedClearly()
    {
        ProcessResult run = Commands.Run(RuncsBinary.Path, ["--root", _state, "run", "--bundle", _bundle.Directory, "tty-fg"]);

        Assert.That(run.ExitCode, Is.Not.Zero);
        Assert.That(run.StandardError, Does.Contain("process.terminal").And.Contain("stdin to be a terminal"));
        Assert.That(Directory.Exists(_state) ? Directory.GetDirectories(_state) : [], Is.Empty);
    }
}
