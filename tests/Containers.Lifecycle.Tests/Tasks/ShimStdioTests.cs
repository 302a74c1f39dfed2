using Containers.Lifecycle.Tasks;
using Containers.Oci;
using Containers.Tasks;

namespace Containers.Lifecycle.Tests.Tasks;

/// <summary>Stdio the shim holds: stdin until CloseIO, FIFOs a host can reattach to, terminals.</summary>
public sealed class ShimStdioTests
{
    [TestCase("runcs")]
    [TestCase("runc")]
    public async Task StdinOutlivesItsWritersAndEndsOnlyWithCloseIO(string runtimeName)
    {
        await using ShimTestSession session = await ShimTestSession.CreateAsync(runtimeName);
        (ShimTestBed bed, ShimTaskService service) = session;
        (string id, string bundle, _) = await bed.BundleAsync("lc-stdin", "while read l; do echo got-$l; done; echo eof; exit 6");
        string stdin = bed.Fifo(id + ".in");
        string stdout = bed.Fifo(id + ".out");
        _ = await service.CreateAsync(new TaskCreateRequest(id, bundle) { IO = new TaskIO { Stdin = stdin, Stdout = stdout } });
        using FifoReader output = new(stdout);
        _ = await service.StartAsync(id);

        // Two writers one after the other: the first one's close is no end of input.
        FifoReader.Write(stdin, "one\n");
        Assert.That(await output.WaitForAsync("got-one\n"), Is.True, output.Text);
        FifoReader.Write(stdin, "two\n");
        // CloseIO right after the write: the bytes already in the FIFO are delivered before the end.
        await service.CloseIOAsync(id);
        ExitStatus exit = await service.WaitAsync(id);
        Assert.That(await output.WaitForAsync("eof\n"), Is.True, output.Text);
        Assert.Multiple(() =>
        {
            Assert.That(exit.ExitCode, Is.EqualTo(6));
            Assert.That(output.Text, Is.EqualTo("got-one\ngot-two\neof\n"));
        });
        await service.CloseIOAsync(id); // a second close is no error
        _ = await service.DeleteAsync(id);
    }

    [Test]
    public async Task ANewHostReattachesToTheOutputFifoAndReadsWhatFollows()
    {
        await using ShimTestSession session = await ShimTestSession.CreateAsync();
        (ShimTestBed bed, ShimTaskService service) = session;
        (string id, string bundle, _) = await bed.BundleAsync("lc-reattach",
            "echo first; while [ ! -e /tmp/go ]; do sleep 0.1; done; echo second; touch /tmp/wrote; while [ ! -e /tmp/go2 ]; do sleep 0.1; done; echo third; exec sleep 1000");
        string stdout = bed.Fifo(id + ".out");
        _ = await service.CreateAsync(new TaskCreateRequest(id, bundle) { IO = new TaskIO { Stdout = stdout } });
        string rootfs = Path.Combine(bundle, "rootfs");
        using (FifoReader first = new(stdout))
        {
            _ = await service.StartAsync(id);
            Assert.That(await first.WaitForAsync("first\n"), Is.True, first.Text);
        }

        // Nobody reads while the task writes: the FIFO (held open by the shim) keeps it.
        await File.WriteAllTextAsync(Path.Combine(rootfs, "tmp", "go"), "");
        Assert.That(await ShimTestBed.EventuallyAsync(() => File.Exists(Path.Combine(rootfs, "tmp", "wrote"))), Is.True);

        // A host finds the FIFO in the task's state and attaches again.
        TaskState state = await service.StateAsync(id);
        Assert.That(state.IO.Stdout, Is.EqualTo(stdout));
        using FifoReader second = new(state.IO.Stdout!);
        Assert.That(await second.WaitForAsync("second\n"), Is.True, second.Text);
        await File.WriteAllTextAsync(Path.Combine(rootfs, "tmp", "go2"), "");
        Assert.That(await second.WaitForAsync("third\n"), Is.True, second.Text);
        Assert.That(second.Text, Is.EqualTo("second\nthird\n"));

        await ShimTestBed.KillAndDeleteAsync(service, id);
    }

    [TestCase("runcs")]
    [TestCase("runc")]
    [TestCase("crun")]
    public async Task ATerminalTaskRunsOnThePtyTheShimHoldsAndResizes(string runtimeName)
    {
        await using ShimTestSession session = await ShimTestSession.CreateAsync(runtimeName);
        (ShimTestBed bed, ShimTaskService service) = session;
        (string id, string bundle, _) = await bed.BundleAsync("lc-tty",
            "[ -t 0 ] && [ -t 1 ] && [ -t 2 ] && echo is-a-tty; read l; stty size; echo got-$l; echo to-stderr >&2; exit 2",
            runtimeName == "crun" ? "1.0.2" : null, SpecOptions.WithTty());
        string stdin = bed.Fifo(id + ".in");
        string stdout = bed.Fifo(id + ".out");
        int pid = await service.CreateAsync(new TaskCreateRequest(id, bundle) { IO = new TaskIO { Stdin = stdin, Stdout = stdout, Terminal = true } });
        Assert.That((await service.StateAsync(id)).IO.Terminal, Is.True);
        using FifoReader output = new(stdout);
        _ = await service.StartAsync(id);
        Assert.That(await output.WaitForAsync("is-a-tty"), Is.True, output.Text);
        Assert.That(File.ReadAllText($"/proc/{pid}/stat"), Does.Not.Contain(") Z"), "the init is waiting for input");

        await service.ResizePtyAsync(id, null, width: 132, height: 43);
        FifoReader.Write(stdin, "go\n");
        ExitStatus exit = await service.WaitAsync(id);
        Assert.That(await output.WaitForAsync("to-stderr"), Is.True, output.Text);
        Assert.Multiple(() =>
        {
            Assert.That(exit.ExitCode, Is.EqualTo(2));
            // A terminal: CRLF line ends, the input echoed, stderr merged, the size set through the master.
            Assert.That(output.Text, Does.Contain("is-a-tty\r\n"));
            Assert.That(output.Text, Does.Contain("go\r\n43 132\r\ngot-go\r\nto-stderr\r\n"));
        });
        Assert.ThrowsAsync<InvalidSpecException>(async () => await service.ResizePtyAsync(id, null, 0, 10));
        _ = await service.DeleteAsync(id);
    }

    [TestCase("runcs")]
    [TestCase("runc")]
    public async Task AnExecOnATerminalGetsItsOwnPty(string runtimeName)
    {
        await using ShimTestSession session = await ShimTestSession.CreateAsync(runtimeName);
        (ShimTestBed bed, ShimTaskService service) = session;
        (string id, _, _, _) = await session.StartTaskAsync("lc-exec-tty", "exec sleep 1000");
        string stdin = bed.Fifo(id + ".exec.in");
        string stdout = bed.Fifo(id + ".exec.out");
        byte[] process = """{"terminal":true,"args":["/bin/sh","-c","[ -t 0 ] && [ -t 1 ] && echo exec-tty; read l; stty size; exit 4"],"cwd":"/","env":["PATH=/bin"],"user":{"uid":0,"gid":0}}"""u8.ToArray();
        Assert.ThrowsAsync<InvalidSpecException>(async () => await service.ExecAsync(new TaskExecRequest(id, "e0", process) { IO = new TaskIO { Stdout = stdout } }));
        await service.ExecAsync(new TaskExecRequest(id, "e1", process) { IO = new TaskIO { Stdin = stdin, Stdout = stdout, Terminal = true } });
        using FifoReader output = new(stdout);
        _ = await service.StartAsync(id, "e1");
        Assert.That(await output.WaitForAsync("exec-tty\r\n"), Is.True, output.Text);
        await service.ResizePtyAsync(id, "e1", width: 99, height: 33);
        FifoReader.Write(stdin, "x\n");
        Assert.That((await service.WaitAsync(id, "e1")).ExitCode, Is.EqualTo(4));
        Assert.That(await output.WaitForAsync("33 99\r\n"), Is.True, output.Text);
        _ = await service.DeleteAsync(id, "e1");

        await ShimTestBed.KillAndDeleteAsync(service, id);
    }

    [Test]
    public async Task TerminalRequestsMustAgreeWithTheProcess()
    {
        await using ShimTestSession session = await ShimTestSession.CreateAsync();
        (ShimTestBed bed, ShimTaskService service) = session;
        (string id, string bundle, _) = await bed.BundleAsync("lc-tty-no", "exec sleep 1000");
        InvalidSpecException? refused = Assert.ThrowsAsync<InvalidSpecException>(async () =>
            await service.CreateAsync(new TaskCreateRequest(id, bundle) { IO = new TaskIO { Terminal = true } }));
        Assert.That(refused!.Message, Does.Contain("process.terminal"));
        Assert.That(await ShimTestBed.EventuallyAsync(() => Directory.GetDirectories(bed.Shims).Length == 0), Is.True, "nothing left");

        _ = await service.CreateAsync(new TaskCreateRequest(id, bundle));
        _ = await service.StartAsync(id);
        FailedPreconditionException? noTty = Assert.ThrowsAsync<FailedPreconditionException>(async () => await service.ResizePtyAsync(id, null, 80, 24));
        Assert.That(noTty!.Message, Does.Contain("no terminal"));
        await ShimTestBed.KillAndDeleteAsync(service, id);
    }
}
