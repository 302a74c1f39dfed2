using System.Diagnostics;
using Containers.Testing;

namespace Containers.Ctrs.Tests;

/// <summary>
/// <c>ctrs run -t</c>, <c>tasks exec -t</c> and <c>tasks attach</c> as processes; <c>script</c> (util-linux) gives
/// ctrs a terminal where one is needed. Real containers through runcs shims on overlayfs (root).
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class CtrsTerminalTests() : CtrsFixture("ctrs-tty")
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    [OneTimeSetUp]
    public void RequireScript()
    {
        if (!File.Exists("/usr/bin/script"))
        {
            Assert.Ignore("needs script (util-linux) to give ctrs a terminal");
        }
    }

    [Test]
    public async Task Run_t_gives_the_container_a_terminal_of_the_hosts_size_and_forwards_a_resize()
    {
        string id = NewId("y");
        string shared = Image.Directory.Combine("shared-" + id);
        Directory.CreateDirectory(shared);
        string outer = Path.Combine(shared, "outer-tty");
        // The container waits for the size ctrs found at its start, says so, then waits for the new size.
        string inside = "tty; while [ \"$(stty size)\" != \"22 77\" ]; do sleep 0.1; done; touch /shared/ready; "
            + "while [ \"$(stty size)\" != \"10 50\" ]; do sleep 0.1; done; echo resized; exit 5";
        Task<ToolResult> run = ScriptAsync($"tty > {outer}; stty cols 77 rows 22; exec " + CtrsCommand("run", "--rm", "-t", "--mount", $"type=bind,src={shared},dst=/shared,options=rbind", Image.Reference, id, "sh", "-c", inside));

        using CancellationTokenSource timeout = new(Timeout);
        while (!File.Exists(Path.Combine(shared, "ready")) && !run.IsCompleted)
        {
            await Task.Delay(100, timeout.Token);
        }

        // A new size on ctrs's terminal: the kernel sends ctrs SIGWINCH, ctrs resizes the container's pty.
        ToolResult resize = await Tool.RunAsync("stty", ["-F", File.ReadAllText(outer).Trim(), "cols", "50", "rows", "10"]);
        ToolResult result = await run;

        Assert.Multiple(() =>
        {
            Assert.That(resize.ExitCode, Is.EqualTo(0), resize.StandardError);
            Assert.That(result.ExitCode, Is.EqualTo(5), result.StandardOutput + result.StandardError);
            Assert.That(result.StandardOutput, Does.Match(@"/dev/pts/\d+\r\n"));
            Assert.That(result.StandardOutput, Does.Contain("resized\r\n"));
        });
        Assert.That((await CtrsAsync("containers", "ls")).StandardOutput, Does.Not.Contain(id));
    }

    [Test]
    public async Task Tasks_exec_t_runs_on_a_terminal_and_attach_reconnects_a_detached_terminal_task()
    {
        string id = NewId("y");
        (await CtrsAsync("run", "-d", "-t", Image.Reference, id, "sh", "-c", "read l; echo got-$l; exit 4")).EnsureSuccess("run -d -t");

        ToolResult exec = await ScriptAsync("stty cols 60 rows 20; " + CtrsCommand("tasks", "exec", "-t", "--exec-id", "e1", id, "sh", "-c", "tty; stty size; exit 3"));
        // Not a terminal here: the input is a pipe, so ctrs attaches without raw mode and the container's terminal echoes it.
        ToolResult attach = await CtrsWithInputAsync("hello\n", "tasks", "attach", id);
        ToolResult rm = await CtrsAsync("tasks", "rm", id);
        (await CtrsAsync("containers", "rm", id)).EnsureSuccess("containers rm");

        Assert.Multiple(() =>
        {
            Assert.That(exec.ExitCode, Is.EqualTo(3), exec.StandardOutput + exec.StandardError);
            Assert.That(exec.StandardOutput, Does.Match(@"/dev/pts/\d+\r\n20 60\r\n"));
            Assert.That(attach.ExitCode, Is.EqualTo(4), attach.StandardError);
            Assert.That(attach.StandardOutput, Is.EqualTo("hello\r\ngot-hello\r\n"));
            Assert.That(rm.StandardOutput, Does.Contain("exit status 4"));
        });
    }

    [Test]
    public async Task Tasks_exec_d_t_leaves_an_exec_that_a_later_attach_exec_id_reaches_and_deletes()
    {
        string id = NewId("y");
        (await CtrsAsync("run", "-d", Image.Reference, id, "sleep", "1000")).EnsureSuccess("run -d");
        ToolResult exec = await CtrsAsync("tasks", "exec", "-d", "-t", "--exec-id", "e1", id, "sh", "-c", "tty; read l; echo x-$l; exit 6");
        // Another ctrs process attaches to the exec's terminal FIFOs by its id.
        ToolResult attach = await CtrsWithInputAsync("hi\n", "tasks", "attach", "--exec-id", "e1", id);
        ToolResult again = await CtrsAsync("tasks", "attach", "--exec-id", "e1", id);
        ToolResult rm = await CtrsAsync("tasks", "rm", "-f", id);
        (await CtrsAsync("containers", "rm", id)).EnsureSuccess("containers rm");
        string fifos = Image.Directory.Combine("state", "fifo");

        Assert.Multiple(() =>
        {
            Assert.That(exec.ExitCode, Is.EqualTo(0), exec.StandardError);
            Assert.That(attach.ExitCode, Is.EqualTo(6), attach.StandardError);
            Assert.That(attach.StandardOutput, Does.Match(@"^/dev/pts/\d+\r\n"));
            Assert.That(attach.StandardOutput, Does.Contain("x-hi\r\n"));
            Assert.That(again.ExitCode, Is.Not.EqualTo(0), "the attach deleted the exited exec");
            Assert.That(rm.ExitCode, Is.EqualTo(0), rm.StandardError);
            Assert.That(Directory.Exists(fifos) ? Directory.GetFileSystemEntries(fifos) : [], Is.Empty, "the exec's FIFOs went with its delete");
        });
    }

    [Test]
    public async Task Attach_streams_a_detached_task_and_ctrl_c_detaches_leaving_it_running()
    {
        string id = NewId("y");
        (await CtrsAsync("run", "-d", "-i", Image.Reference, id, "sh", "-c", "while read l; do echo got-$l; done")).EnsureSuccess("run -d -i");

        using Process first = StartCtrs("tasks", "attach", id);
        await first.StandardInput.WriteAsync("one\n");
        await first.StandardInput.FlushAsync();
        string firstLine = await first.StandardOutput.ReadLineAsync().WaitAsync(Timeout) ?? "";
        _ = await Tool.RunAsync("kill", ["-INT", first.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await first.WaitForExitAsync().WaitAsync(Timeout);
        string firstError = await first.StandardError.ReadToEndAsync();
        string status = TaskLine(await CtrsAsync("tasks", "ls"), id);

        using Process second = StartCtrs("tasks", "attach", id);
        await second.StandardInput.WriteAsync("two\n");
        await second.StandardInput.FlushAsync();
        string secondLine = await second.StandardOutput.ReadLineAsync().WaitAsync(Timeout) ?? "";
        (await CtrsAsync("tasks", "kill", "-s", "KILL", id)).EnsureSuccess("kill");
        await second.WaitForExitAsync().WaitAsync(Timeout);
        _ = await CtrsAsync("tasks", "rm", id);
        (await CtrsAsync("containers", "rm", id)).EnsureSuccess("containers rm");

        Assert.Multiple(() =>
        {
            Assert.That(firstLine, Is.EqualTo("got-one"));
            Assert.That(first.ExitCode, Is.EqualTo(0), firstError);
            Assert.That(firstError, Does.Contain("detached"));
            Assert.That(status, Does.EndWith("RUNNING"), "detaching leaves the task running");
            Assert.That(secondLine, Is.EqualTo("got-two"), "the second attach reads what followed");
            Assert.That(second.ExitCode, Is.EqualTo(137), "attach returns the task's exit");
        });
    }

    private static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private string CtrsCommand(params string[] args) => string.Join(' ', CtrsArguments(args).Prepend(Ctrs).Select(Quote));

    /// <summary>Runs a shell command on a new pseudo-terminal (<c>script -qec</c>); its exit code is the command's.</summary>
    /// <summary>
    /// Runs <paramref name="command"/> on a terminal made by script(1). Its standard input is a pipe held open
    /// until it exits: at an end of its input script types the terminal's EOF character (^D) into the
    /// session, which ctrs in raw mode would forward into the container's terminal, where it shows up
    /// in the output as an echoed control character (seen as <c>^@</c> now and then, when the test host's
    /// own input was at its end before the command had finished).
    /// </summary>
    private static async Task<ToolResult> ScriptAsync(string command)
    {
        ProcessStartInfo start = new("script") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in (string[])["-qec", command, "/dev/null"])
        {
            start.ArgumentList.Add(arg);
        }

        using Process script = Process.Start(start) ?? throw new InvalidOperationException("could not start script");
        Task<string> stdout = script.StandardOutput.ReadToEndAsync();
        Task<string> stderr = script.StandardError.ReadToEndAsync();
        try
        {
            await script.WaitForExitAsync().WaitAsync(Timeout);
        }
        catch (TimeoutException)
        {
            script.Kill(entireProcessTree: true);
            throw;
        }
        finally
        {
            script.StandardInput.Close();
        }

        return new ToolResult(script.ExitCode, await stdout, await stderr);
    }

    private Task<ToolResult> CtrsWithInputAsync(string input, params string[] args) => Tool.RunAsync(Ctrs, CtrsArguments(args), standardInput: input, timeout: Timeout);

    private Process StartCtrs(params string[] args)
    {
        ProcessStartInfo start = new(Ctrs) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in CtrsArguments(args))
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start) ?? throw new InvalidOperationException("could not start ctrs");
    }
}
