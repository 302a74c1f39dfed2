using Containers.Client;
using Containers.Images;
using Containers.Oci;
using Containers.Tasks;

namespace Containers.Lifecycle.Tests.Client;

/// <summary>Terminals through the facade: a task and an exec on a pty the shim holds, resized and fed (real containers, root).</summary>
[NonParallelizable]
public sealed class ContainerTaskTerminalTests : FacadeFixture
{
    [Test]
    public async Task ATerminalTaskRunsOnAPtyIsResizedAndEchoesInput()
    {
        (ContainerClient client, Image image) = await Bed.NewClientAsync();
        using CancellationTokenSource timeout = new(TimeSpan.FromMinutes(2));
        string id = "tty-" + Guid.NewGuid().ToString("N")[..8];
        ContainerOptions options = new() { Args = ["sh", "-c", "tty; read a; stty size; read b; echo got-$b; exit 3"] };
        options.Spec.Add(SpecOptions.WithTty());
        Container container = await client.CreateContainerAsync(id, image, options);
        OutputRecorder output = new();
        using InputFeeder input = new();

        ContainerTask task = await container.NewTaskAsync(new ProcessIO { Terminal = true, Stdin = input.Stream, Stdout = output });
        await task.StartAsync();
        await output.WaitForAsync("/dev/pts/", timeout.Token);
        await task.ResizeAsync(100, 40);
        await input.WriteAsync("go\n");
        await output.WaitForAsync("40 100", timeout.Token);
        await input.WriteAsync("hello\n");
        ExitStatus status = await task.WaitAsync(timeout.Token);
        _ = await task.DeleteAsync();
        await container.DeleteAsync();

        Assert.Multiple(() =>
        {
            Assert.That(status.ExitCode, Is.EqualTo(3));
            Assert.That(output.Text, Does.Match(@"^/dev/pts/\d+\r\n"), "tty names the pty; the terminal writes CRLF");
            Assert.That(output.Text, Does.Contain("go\r\n40 100\r\n"), "the input is echoed, then stty shows the size set");
            Assert.That(output.Text, Does.Contain("hello\r\ngot-hello\r\n"));
            Assert.That(Bed.MountsUnder(), Is.Empty);
            Assert.That(Bed.FifoEntries(), Is.Empty, "the FIFOs are gone");
        });
    }

    [Test]
    public async Task AnExecGetsATerminalOfItsOwnThatIsResized()
    {
        (ContainerClient client, Image image) = await Bed.NewClientAsync();
        using CancellationTokenSource timeout = new(TimeSpan.FromMinutes(2));
        string id = "ttyx-" + Guid.NewGuid().ToString("N")[..8];
        Container container = await client.CreateContainerAsync(id, image, new ContainerOptions { Args = ["sleep", "1000"] });
        ContainerTask task = await container.NewTaskAsync();
        await task.StartAsync();
        OutputRecorder output = new();
        using InputFeeder input = new();

        ExecProcess exec = await task.ExecAsync("t1", ["sh", "-c", "tty; [ -t 0 ] && echo stdin-is-a-tty; read a; stty size"], new ProcessIO { Terminal = true, Stdin = input.Stream, Stdout = output });
        await exec.StartAsync();
        await output.WaitForAsync("stdin-is-a-tty", timeout.Token);
        await exec.ResizeAsync(90, 30);
        await input.WriteAsync("\n");
        ExitStatus status = await exec.WaitAsync(timeout.Token);
        _ = await exec.DeleteAsync();
        await task.KillAsync(9);
        _ = await task.WaitAsync(timeout.Token);
        _ = await task.DeleteAsync();
        await container.DeleteAsync();

        Assert.Multiple(() =>
        {
            Assert.That(status.ExitCode, Is.EqualTo(0), output.Text);
            Assert.That(output.Text, Does.Match(@"^/dev/pts/\d+\r\nstdin-is-a-tty\r\n\r\n30 90\r\n$"));
        });
    }

    [Test]
    public async Task RunAsyncWithATerminalRunsOnAPtyAndTypesStdin()
    {
        (ContainerClient client, Image image) = await Bed.NewClientAsync();
        using MemoryStream stdin = new("hello\n"u8.ToArray());
        RunResult result = await client.RunAsync(image, ["sh", "-c", "tty; [ -t 1 ] && echo stdout-is-a-tty; read a; echo got-$a; echo err >&2; exit 2"],
            new RunOptions { Terminal = true, Stdin = stdin });
        InvalidSpecException? withStderr = Assert.ThrowsAsync<InvalidSpecException>(async () => await client.RunAsync(image, ["true"], new RunOptions { Terminal = true, Stderr = new MemoryStream() }));
        List<Container> left = [];
        await foreach (Container container in client.ListContainersAsync())
        {
            left.Add(container);
        }

        Assert.Multiple(() =>
        {
            Assert.That(result.Status.ExitCode, Is.EqualTo(2));
            // The typed input's echo may come first, or between the first two lines: the line discipline echoes it
            // whenever it arrives while the shell runs.
            Assert.That(result.Stdout, Does.Match(@"/dev/pts/\d+\r\n(hello\r\n)?stdout-is-a-tty\r\n"), "tty names the pty; the terminal writes CRLF");
            Assert.That(result.Stdout, Does.Contain("got-hello\r\nerr\r\n"), "stdin typed into the terminal; stderr merged into it");
            Assert.That(result.Stderr, Is.Empty);
            Assert.That(withStderr!.JsonPath, Is.EqualTo("stderr"));
            Assert.That(left, Is.Empty, "the refused run made nothing");
            Assert.That(Bed.MountsUnder(), Is.Empty);
            Assert.That(Bed.FifoEntries(), Is.Empty);
        });
    }

    [Test]
    public async Task ATerminalThatDisagreesWithTheSpecIsRefusedAndLeavesNothing()
    {
        (ContainerClient client, Image image) = await Bed.NewClientAsync();
        string id = "ttyno-" + Guid.NewGuid().ToString("N")[..8];
        Container container = await client.CreateContainerAsync(id, image, new ContainerOptions { Args = ["true"] });

        InvalidSpecException? error = Assert.ThrowsAsync<InvalidSpecException>(async () => await container.NewTaskAsync(new ProcessIO { Terminal = true, Stdout = new MemoryStream() }));
        InvalidSpecException? stderr = Assert.ThrowsAsync<InvalidSpecException>(async () => await ((Func<Task>)(async () =>
        {
            ContainerOptions tty = new() { Args = ["true"] };
            tty.Spec.Add(SpecOptions.WithTty());
            Container withTty = await client.CreateContainerAsync(id + "-t", image, tty);
            try
            {
                _ = await withTty.NewTaskAsync(new ProcessIO { Terminal = true, Stdout = new MemoryStream(), Stderr = new MemoryStream() });
            }
            finally
            {
                await withTty.DeleteAsync();
            }
        }))());
        await container.DeleteAsync();

        Assert.Multiple(() =>
        {
            Assert.That(error!.JsonPath, Is.EqualTo("process.terminal"));
            Assert.That(stderr!.JsonPath, Is.EqualTo("io.stderr"));
            Assert.That(Bed.ShimsAfterExits(), Is.Empty);
            Assert.That(Bed.MountsUnder(), Is.Empty);
            Assert.That(Directory.GetDirectories(Path.Combine(Bed.State, "bundles", FacadeTestBed.Namespace)), Is.Empty);
        });
    }
}
