using Containers.Client;
using Containers.Images;
using Containers.Tasks;
using Microsoft.Extensions.DependencyInjection;

namespace Containers.Lifecycle.Tests.Client;

/// <summary>Attaching to a running task's FIFOs from another client (a new host process over the same root and state), and detaching.</summary>
[NonParallelizable]
public sealed class ContainerTaskAttachTests : FacadeFixture
{
    [Test]
    public async Task ASecondClientAttachesReadsLaterOutputWritesStdinAndDetachLeavesTheTaskRunning()
    {
        (ContainerClient first, Image image) = await Bed.NewClientAsync();
        using CancellationTokenSource timeout = new(TimeSpan.FromMinutes(2));
        string id = "attach-" + Guid.NewGuid().ToString("N")[..8];
        Container created = await first.CreateContainerAsync(id, image, new ContainerOptions { Args = ["sh", "-c", "while read l; do echo got-$l; echo err-$l >&2; done; exit 6"] });
        ContainerTask started = await created.NewTaskAsync(new ProcessIO { Unattached = true });
        await started.StartAsync();

        // The first host attaches, talks, detaches.
        OutputRecorder firstOutput = new();
        using (InputFeeder firstInput = new())
        {
            await using (TaskAttachment attachment = await started.AttachAsync(new ProcessIO { Stdin = firstInput.Stream, Stdout = firstOutput }))
            {
                await firstInput.WriteAsync("one\n");
                await firstOutput.WaitForAsync("got-one\n", timeout.Token);
            }
        }

        // A new client over the same root and state, as a new application process would make.
        ContainerClient second = Bed.NewProvider().GetRequiredService<ContainerClient>();
        ContainerTask loaded = await (await second.LoadContainerAsync(id)).LoadTaskAsync();
        OutputRecorder stdout = new();
        OutputRecorder stderr = new();
        using InputFeeder input = new();
        TaskAttachment attached = await loaded.AttachAsync(new ProcessIO { Stdin = input.Stream, Stdout = stdout, Stderr = stderr });
        await input.WriteAsync("two\n");
        await stdout.WaitForAsync("got-two\n", timeout.Token);
        await stderr.WaitForAsync("err-two\n", timeout.Token);
        await attached.DisposeAsync();
        ProcessStatus afterDetach = (await loaded.StatusAsync()).Status;

        // Attached again: what is written now reaches the new attachment only.
        OutputRecorder again = new();
        using InputFeeder againInput = new();
        TaskAttachment reattached = await loaded.AttachAsync(new ProcessIO { Stdin = againInput.Stream, Stdout = again });
        await againInput.WriteAsync("three\n");
        await again.WaitForAsync("got-three\n", timeout.Token);
        await loaded.CloseStdinAsync();
        ExitStatus status = await loaded.WaitAsync(timeout.Token);
        await reattached.WaitOutputEndedAsync(timeout.Token);
        await reattached.DisposeAsync();
        _ = await loaded.DeleteAsync();
        await (await second.LoadContainerAsync(id)).DeleteAsync();

        Assert.Multiple(() =>
        {
            Assert.That(firstOutput.Text, Is.EqualTo("got-one\n"));
            Assert.That(stdout.Text, Is.EqualTo("got-two\n"), "only what was written after the attach");
            Assert.That(stderr.Text, Is.EqualTo("err-one\nerr-two\n"), "stderr waited in its FIFO while nobody read it");
            Assert.That(afterDetach, Is.EqualTo(ProcessStatus.Running), "detaching leaves the task running");
            Assert.That(again.Text, Is.EqualTo("got-three\n"));
            Assert.That(status.ExitCode, Is.EqualTo(6), "CloseStdin ended the read loop");
            Assert.That(Directory.GetFileSystemEntries(Path.Combine(Bed.State, "fifo")), Is.Empty, "the delete by the second client removed the first's FIFOs");
            Assert.That(Bed.MountsUnder(), Is.Empty);
            Assert.That(Bed.Shims(), Is.Empty);
        });
    }

    [Test]
    public async Task AttachingToATaskWithoutFifosOrThatExitedIsRefused()
    {
        (ContainerClient client, Image image) = await Bed.NewClientAsync();
        using CancellationTokenSource timeout = new(TimeSpan.FromMinutes(2));
        string id = "attachno-" + Guid.NewGuid().ToString("N")[..8];
        string log = Bed.Directory.Combine(id + ".log");
        Container container = await client.CreateContainerAsync(id, image, new ContainerOptions { Args = ["sleep", "1000"] });
        ContainerTask task = await container.NewTaskAsync(new ProcessIO { LogFile = log });
        await task.StartAsync();

        FailedPreconditionException? logMode = Assert.ThrowsAsync<FailedPreconditionException>(async () => await task.AttachAsync(new ProcessIO { Stdout = new MemoryStream() }));
        await task.KillAsync(9);
        _ = await task.WaitAsync(timeout.Token);
        FailedPreconditionException? exited = Assert.ThrowsAsync<FailedPreconditionException>(async () => await task.AttachAsync(new ProcessIO { Stdout = new MemoryStream() }));
        _ = await task.DeleteAsync();
        await container.DeleteAsync();

        Assert.Multiple(() =>
        {
            Assert.That(logMode!.Message, Does.Contain(log), "the error names where the output goes");
            Assert.That(exited!.Message, Does.Contain("exited"));
        });
    }
}
