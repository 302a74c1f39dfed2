using System.Text;
using Containers.Client;
using Containers.Images;
using Containers.Tasks;

namespace Containers.Lifecycle.Tests.Client;

/// <summary>
/// Several attachments to one process in one host process: each receives all of the output written while it is
/// attached (one reader per FIFO fans out), a late one from its attach on, every one's input goes in, and one whose
/// stream stalls is detached with an error without holding back the others.
/// </summary>
[NonParallelizable]
public sealed class ContainerTaskSharedAttachTests : FacadeFixture
{
    [Test]
    public async Task TwoAttachmentsEachReceiveAllOutputInOrderALateOneFromItsAttachOnAndEveryInputGoesIn()
    {
        (ContainerClient client, Image image) = await Bed.NewClientAsync();
        using CancellationTokenSource timeout = new(TimeSpan.FromMinutes(2));
        string id = "fanout-" + Guid.NewGuid().ToString("N")[..8];
        Container container = await client.CreateContainerAsync(id, image, new ContainerOptions { Args = ["sh", "-c", "while read l; do echo got-$l; echo err-$l >&2; done; exit 5"] });
        ContainerTask task = await container.NewTaskAsync(new ProcessIO { Unattached = true });
        await task.StartAsync(timeout.Token);

        OutputRecorder firstOut = new(), firstErr = new(), secondOut = new(), secondErr = new(), lateOut = new();
        using InputFeeder firstIn = new(), secondIn = new();
        TaskAttachment first = await task.AttachAsync(new ProcessIO { Stdin = firstIn.Stream, Stdout = firstOut, Stderr = firstErr });
        TaskAttachment second = await task.AttachAsync(new ProcessIO { Stdin = secondIn.Stream, Stdout = secondOut, Stderr = secondErr });
        StringBuilder expectedOut = new(), expectedErr = new();
        // Input from both attachments, alternately; every answer must reach both (two readers of one FIFO would
        // each get only what their own read took, and one of them would wait here in vain).
        for (int i = 0; i < 20; i++)
        {
            string line = (i % 2 == 0 ? "a" : "b") + i;
            await (i % 2 == 0 ? firstIn : secondIn).WriteAsync(line + "\n");
            _ = expectedOut.Append("got-").Append(line).Append('\n');
            _ = expectedErr.Append("err-").Append(line).Append('\n');
            foreach (OutputRecorder recorder in (OutputRecorder[])[firstOut, secondOut])
            {
                await recorder.WaitForAsync("got-" + line + "\n", timeout.Token);
            }

            foreach (OutputRecorder recorder in (OutputRecorder[])[firstErr, secondErr])
            {
                await recorder.WaitForAsync("err-" + line + "\n", timeout.Token);
            }
        }

        // A late attachment gets the output from its attach on.
        TaskAttachment late = await task.AttachAsync(new ProcessIO { Stdout = lateOut });
        await firstIn.WriteAsync("late\n");
        _ = expectedOut.Append("got-late\n");
        _ = expectedErr.Append("err-late\n");
        foreach (OutputRecorder recorder in (OutputRecorder[])[firstOut, secondOut, lateOut])
        {
            await recorder.WaitForAsync("got-late\n", timeout.Token);
        }

        await firstErr.WaitForAsync("err-late\n", timeout.Token);
        await secondErr.WaitForAsync("err-late\n", timeout.Token);

        // The second detaches; the others read on.
        await second.DisposeAsync();
        string secondOutAtDetach = secondOut.Text;
        await firstIn.WriteAsync("last\n");
        _ = expectedOut.Append("got-last\n");
        _ = expectedErr.Append("err-last\n");
        // Answered before the input is closed (CloseIO delivers what the FIFO holds, not what a copy has yet to write).
        await lateOut.WaitForAsync("got-last\n", timeout.Token);
        await task.CloseStdinAsync(timeout.Token);
        ExitStatus status = await task.WaitAsync(timeout.Token);
        await first.WaitOutputEndedAsync(timeout.Token);
        await late.WaitOutputEndedAsync(timeout.Token);
        await first.DisposeAsync();
        await late.DisposeAsync();
        _ = await task.DeleteAsync(timeout.Token);
        await container.DeleteAsync(timeout.Token);
        // The shim answers the delete of its last task, then removes its directory and exits.
        bool shimGone = await Tasks.ShimTestBed.EventuallyAsync(() => Bed.Shims().Count == 0);

        Assert.Multiple(() =>
        {
            Assert.That(firstOut.Text, Is.EqualTo(expectedOut.ToString()), "all of stdout, in order");
            Assert.That(firstErr.Text, Is.EqualTo(expectedErr.ToString()), "all of stderr, in order");
            Assert.That(secondErr.Text, Is.EqualTo(expectedErr.ToString()[..^"err-last\n".Length]), "stderr until its detach");
            Assert.That(secondOutAtDetach, Is.EqualTo(expectedOut.ToString()[..^"got-last\n".Length]), "stdout until its detach");
            Assert.That(secondOut.Text, Is.EqualTo(secondOutAtDetach), "nothing after its detach");
            Assert.That(lateOut.Text, Is.EqualTo("got-late\ngot-last\n"), "a late attachment from its attach on");
            Assert.That(status.ExitCode, Is.EqualTo(5));
            Assert.That(Bed.MountsUnder(), Is.Empty);
            Assert.That(shimGone, Is.True, "the shim exited after the delete");
        });
    }

    [Test]
    public async Task AnExecsAttachmentThatStallsIsDetachedWithAnErrorAndDoesNotHoldBackAnother()
    {
        (ContainerClient client, Image image) = await Bed.NewClientAsync();
        using CancellationTokenSource timeout = new(TimeSpan.FromMinutes(3));
        string id = "stall-" + Guid.NewGuid().ToString("N")[..8];
        Container container = await client.CreateContainerAsync(id, image, new ContainerOptions { Args = ["sleep", "1000"] });
        ContainerTask task = await container.NewTaskAsync(cancellationToken: timeout.Token);
        await task.StartAsync(timeout.Token);
        // Each input line asks for 60 000 bytes and a marker: less than a FIFO holds, and the next is asked for
        // only once the fast attachment has it all, so the shim never meets a full FIFO whatever its policy is.
        const int Chunk = 60000;
        ExecProcess exec = await task.ExecAsync("big", ["sh", "-c", $"while read l; do head -c {Chunk} /dev/zero | tr '\\0' x; echo; echo end-$l; done; exit 9"], new ProcessIO { Unattached = true }, cancellationToken: timeout.Token);
        await exec.StartAsync(timeout.Token);

        OutputRecorder fast = new();
        using StalledStream stalled = new();
        using InputFeeder input = new();
        TaskAttachment fastAttachment = await exec.AttachAsync(new ProcessIO { Stdin = input.Stream, Stdout = fast });
        TaskAttachment slowAttachment = await exec.AttachAsync(new ProcessIO { Stdout = stalled });
        StringBuilder expected = new();
        int rounds = (TaskAttachment.MaxPendingOutputBytes / Chunk) + 3;
        for (int i = 0; i < rounds; i++)
        {
            await input.WriteAsync(i + "\n");
            _ = expected.Append('x', Chunk).Append('\n').Append("end-").Append(i).Append('\n');
            await fast.WaitForAsync("end-" + i + "\n", timeout.Token);
        }

        AttachmentOverrunException? overrun = Assert.ThrowsAsync<AttachmentOverrunException>(async () => await slowAttachment.WaitOutputEndedAsync(timeout.Token));
        bool blockedInWrite = stalled.Blocked.IsSet;
        stalled.Release();
        ProcessStatus afterOverrun = (await exec.StatusAsync(timeout.Token)).Status;
        await exec.CloseStdinAsync(timeout.Token);
        ExitStatus status = await exec.WaitAsync(timeout.Token);
        await fastAttachment.WaitOutputEndedAsync(timeout.Token);
        await fastAttachment.DisposeAsync();
        await slowAttachment.DisposeAsync();
        _ = await exec.DeleteAsync(timeout.Token);
        await task.KillAsync(9, cancellationToken: timeout.Token);
        _ = await task.WaitAsync(timeout.Token);
        _ = await task.DeleteAsync(timeout.Token);
        await container.DeleteAsync(timeout.Token);
        string slowText = Encoding.ASCII.GetString(stalled.Written);
        bool shimGone = await Tasks.ShimTestBed.EventuallyAsync(() => Bed.Shims().Count == 0);

        Assert.Multiple(() =>
        {
            Assert.That(fast.Text.Length, Is.EqualTo(expected.Length), "the fast attachment got every byte");
            Assert.That(fast.Text, Is.EqualTo(expected.ToString()), "in order");
            Assert.That(blockedInWrite, Is.True, "the slow attachment's stream was stalled");
            Assert.That(overrun!.Stream, Is.EqualTo("stdout"));
            Assert.That(overrun.Limit, Is.EqualTo(TaskAttachment.MaxPendingOutputBytes));
            Assert.That(expected.ToString(), Does.StartWith(slowText), "what the slow one got is a prefix, no bytes missing in it");
            Assert.That(slowText.Length, Is.LessThan(expected.Length), "it was detached before the end");
            Assert.That(afterOverrun, Is.EqualTo(ProcessStatus.Running), "the overrun detached the attachment, not the process");
            Assert.That(status.ExitCode, Is.EqualTo(9));
            Assert.That(Bed.MountsUnder(), Is.Empty);
            Assert.That(shimGone, Is.True, "the shim exited after the delete");
        });
    }
}
