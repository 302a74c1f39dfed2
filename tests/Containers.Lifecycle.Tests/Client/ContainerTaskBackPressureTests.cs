using System.Security.Cryptography;
using System.Text;
using Containers.Client;
using Containers.Images;
using Containers.Oci;
using Containers.Tasks;

namespace Containers.Lifecycle.Tests.Client;

/// <summary>
/// Output written while nobody reads a process's FIFOs is never dropped: once the FIFO and what the shim holds back are
/// full, the process blocks in its writes (back-pressure, as containerd's shim) until a reader attaches; its exit is still
/// reported at once, a later reader gets every byte then end of file, other tasks of the shim go on, and a delete discards
/// what is held without hanging (as does the shim's death). Real containers under a real <c>runcs shim</c> (root).
/// </summary>
[NonParallelizable]
public sealed class ContainerTaskBackPressureTests : FacadeFixture
{
    // 1..166000, one per line: 1,050,895 bytes (more than 1 MiB), in an order a reader can check.
    private const int Lines = 166000;

    // 1..20000: 108,894 bytes — more than a FIFO takes (64 KiB), less than FIFO, pipe and what the shim holds back together,
    // so the writer can finish and exit while part of its output is still held.
    private const int FewLines = 20000;

    /// <summary>How long a writer that should be blocked is given to (wrongly) finish: not a speed bound, a settling time.</summary>
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(2);

    [Test]
    public async Task AnUnattachedTaskBlocksOnFullOutputAndALaterAttachmentReadsEveryByteThenEndOfFile()
    {
        (ContainerClient client, Image image) = await Bed.NewClientAsync();
        using CancellationTokenSource timeout = new(TimeSpan.FromMinutes(2));
        string id = "bp-" + Guid.NewGuid().ToString("N")[..8];
        Container container = await client.CreateContainerAsync(id, image, new ContainerOptions { Args = ["sh", "-c", $"seq 1 {Lines}; echo err-end >&2; touch /done; exit 5"] });
        ContainerTask task = await container.NewTaskAsync(new ProcessIO { Unattached = true });
        int pid = await task.StartAsync();

        await Task.Delay(Settle, timeout.Token);
        bool finishedUnread = File.Exists($"/proc/{pid}/root/done");
        ProcessStatus whileUnread = (await task.StatusAsync(timeout.Token)).Status;

        (ExitStatus status, string stdout, string stderr) = await AttachAndReadAsync(task, withStderr: true, timeout.Token);
        _ = await task.DeleteAsync(timeout.Token);
        await container.DeleteAsync(timeout.Token);

        Assert.Multiple(() =>
        {
            Assert.That(finishedUnread, Is.False, "the writer was blocked while nobody read (it had not reached its marker)");
            Assert.That(whileUnread, Is.EqualTo(ProcessStatus.Running));
            AssertSameText(stdout, Expected(Lines), "every byte, in order");
            Assert.That(stderr, Is.EqualTo("err-end\n"));
            Assert.That(status.ExitCode, Is.EqualTo(5));
            AssertNothingLeft();
        });
    }

    [Test]
    public async Task AnUnattachedExecBlocksOnFullOutputAndALaterAttachmentReadsEveryByteThenEndOfFile()
    {
        (ContainerClient client, Image image) = await Bed.NewClientAsync();
        using CancellationTokenSource timeout = new(TimeSpan.FromMinutes(2));
        string id = "bpx-" + Guid.NewGuid().ToString("N")[..8];
        Container container = await client.CreateContainerAsync(id, image, new ContainerOptions { Args = ["sleep", "1000"] });
        ContainerTask task = await container.NewTaskAsync(ProcessIO.Null);
        int pid = await task.StartAsync();
        ExecProcess exec = await task.ExecAsync("w1", ["sh", "-c", $"seq 1 {Lines}; touch /exec-done; exit 3"], new ProcessIO { Unattached = true }, cancellationToken: timeout.Token);
        await exec.StartAsync(timeout.Token);

        await Task.Delay(Settle, timeout.Token);
        bool finishedUnread = File.Exists($"/proc/{pid}/root/exec-done");
        ProcessStatus whileUnread = (await exec.StatusAsync(timeout.Token)).Status;

        (ExitStatus status, string stdout, _) = await AttachAndReadAsync(exec, withStderr: false, timeout.Token);
        bool finishedAfterRead = File.Exists($"/proc/{pid}/root/exec-done");
        _ = await exec.DeleteAsync(timeout.Token);
        await task.KillAsync(9, cancellationToken: timeout.Token);
        _ = await task.WaitAsync(timeout.Token);
        _ = await task.DeleteAsync(timeout.Token);
        await container.DeleteAsync(timeout.Token);

        Assert.Multiple(() =>
        {
            Assert.That(finishedUnread, Is.False, "the exec was blocked while nobody read (it had not reached its marker)");
            Assert.That(whileUnread, Is.EqualTo(ProcessStatus.Running));
            AssertSameText(stdout, Expected(Lines), "every byte, in order");
            Assert.That(status.ExitCode, Is.EqualTo(3));
            Assert.That(finishedAfterRead, Is.True, "once read, the exec went on to its marker");
            AssertNothingLeft();
        });
    }

    [Test]
    public async Task ATerminalTasksOutputIsHeldBackTooAndReadInFullLater()
    {
        (ContainerClient client, Image image) = await Bed.NewClientAsync();
        using CancellationTokenSource timeout = new(TimeSpan.FromMinutes(2));
        string id = "bpt-" + Guid.NewGuid().ToString("N")[..8];
        ContainerOptions options = new() { Args = ["sh", "-c", $"seq 1 {Lines}; touch /done; exit 4"] };
        options.Spec.Add(SpecOptions.WithTty());
        Container container = await client.CreateContainerAsync(id, image, options);
        ContainerTask task = await container.NewTaskAsync(new ProcessIO { Unattached = true, Terminal = true });
        int pid = await task.StartAsync();

        await Task.Delay(Settle, timeout.Token);
        bool finishedUnread = File.Exists($"/proc/{pid}/root/done");

        (ExitStatus status, string stdout, _) = await AttachAndReadAsync(task, withStderr: false, timeout.Token);
        _ = await task.DeleteAsync(timeout.Token);
        await container.DeleteAsync(timeout.Token);

        Assert.Multiple(() =>
        {
            Assert.That(finishedUnread, Is.False, "the writer was blocked on its terminal while nobody read");
            AssertSameText(stdout, Expected(Lines).Replace("\n", "\r\n", StringComparison.Ordinal), "every byte, in order (a terminal's CRLF)");
            Assert.That(status.ExitCode, Is.EqualTo(4));
            AssertNothingLeft();
        });
    }

    [Test]
    public async Task AnExitIsReportedWhileOutputIsHeldBackAndAnAttachmentAfterTheExitReadsTheRestThenEndOfFile()
    {
        (ContainerClient client, Image image) = await Bed.NewClientAsync();
        using CancellationTokenSource timeout = new(TimeSpan.FromMinutes(2));
        string id = "bpe-" + Guid.NewGuid().ToString("N")[..8];
        // stdout is more than its FIFO takes (the shim holds the rest), stderr fits in its FIFO whole.
        Container container = await client.CreateContainerAsync(id, image, new ContainerOptions { Args = ["sh", "-c", $"seq 1 {FewLines}; echo small >&2; exit 9"] });
        ContainerTask task = await container.NewTaskAsync(new ProcessIO { Unattached = true });
        await task.StartAsync();

        ExitStatus status = await task.WaitAsync(timeout.Token);
        (_, string stdout, string stderr) = await AttachAndReadAsync(task, withStderr: true, timeout.Token);
        FailedPreconditionException? input = Assert.ThrowsAsync<FailedPreconditionException>(async () => await task.AttachAsync(new ProcessIO { Stdin = new MemoryStream() }));
        _ = await task.DeleteAsync(timeout.Token);
        await container.DeleteAsync(timeout.Token);

        Assert.Multiple(() =>
        {
            Assert.That(status.ExitCode, Is.EqualTo(9), "the exit was reported although output was still held back");
            AssertSameText(stdout, Expected(FewLines), "the FIFO's part, then what the shim held, then end of file");
            Assert.That(stderr, Is.EqualTo("small\n"), "what waited in the FIFO after the exit, then end of file");
            Assert.That(input!.Message, Does.Contain("exited"), "an exited process takes no input");
            AssertNothingLeft();
        });
    }

    [Test]
    public async Task AnotherTaskOfTheShimGroupIsServedWhileOneTasksOutputIsHeldBack()
    {
        (ContainerClient client, Image image) = await Bed.NewClientAsync();
        using CancellationTokenSource timeout = new(TimeSpan.FromMinutes(2));
        Container writer = await client.CreateContainerAsync("bpg-writer", image, new ContainerOptions { ShimGroup = "bp", Args = ["sh", "-c", $"seq 1 {Lines}; exit 2"] });
        ContainerTask writing = await writer.NewTaskAsync(new ProcessIO { Unattached = true });
        int writerShim = ShimOf(await writing.StartAsync());
        await Task.Delay(Settle, timeout.Token);
        ProcessStatus writerHeld = (await writing.StatusAsync(timeout.Token)).Status;

        // The group's other task: started, exec'd into (its output read), killed and waited for, all while the writer is held.
        Container other = await client.CreateContainerAsync("bpg-other", image, new ContainerOptions { ShimGroup = "bp", Args = ["sleep", "1000"] });
        ContainerTask otherTask = await other.NewTaskAsync(ProcessIO.Null, timeout.Token);
        int otherPid = await otherTask.StartAsync(timeout.Token);
        bool oneShim = ShimOf(otherPid) == writerShim && writerShim > 0;
        OutputRecorder execOutput = new();
        ExecProcess exec = await otherTask.ExecAsync("e1", ["sh", "-c", "echo from-exec; exit 8"], new ProcessIO { Stdout = execOutput }, cancellationToken: timeout.Token);
        await exec.StartAsync(timeout.Token);
        ExitStatus execStatus = await exec.WaitAsync(timeout.Token);
        _ = await exec.DeleteAsync(timeout.Token);
        await otherTask.KillAsync(9, cancellationToken: timeout.Token);
        ExitStatus otherStatus = await otherTask.WaitAsync(timeout.Token);
        _ = await otherTask.DeleteAsync(timeout.Token);
        await other.DeleteAsync(timeout.Token);
        ProcessStatus writerStillHeld = (await writing.StatusAsync(timeout.Token)).Status;

        (ExitStatus writerStatus, string stdout, _) = await AttachAndReadAsync(writing, withStderr: false, timeout.Token);
        _ = await writing.DeleteAsync(timeout.Token);
        await writer.DeleteAsync(timeout.Token);

        Assert.Multiple(() =>
        {
            Assert.That(oneShim, Is.True, "both tasks run under the group's one shim");
            Assert.That(writerHeld, Is.EqualTo(ProcessStatus.Running), "the writer was held back");
            Assert.That(execOutput.Text, Is.EqualTo("from-exec\n"));
            Assert.That(execStatus.ExitCode, Is.EqualTo(8));
            Assert.That(otherStatus.ExitCode, Is.EqualTo(137));
            Assert.That(writerStillHeld, Is.EqualTo(ProcessStatus.Running), "the writer stayed held while the other task was served");
            AssertSameText(stdout, Expected(Lines), "every byte, in order");
            Assert.That(writerStatus.ExitCode, Is.EqualTo(2));
            AssertNothingLeft();
        });
    }

    [Test]
    public async Task DeletingTasksWhoseOutputIsHeldBackDiscardsItAndLeavesNothing()
    {
        (ContainerClient client, Image image) = await Bed.NewClientAsync();
        using CancellationTokenSource timeout = new(TimeSpan.FromMinutes(2));
        // One blocked in its writes (killed, then deleted), one that exited with output still held (deleted unread).
        Container blocked = await client.CreateContainerAsync("bpd-blocked", image, new ContainerOptions { Args = ["sh", "-c", $"seq 1 {Lines}; touch /done; sleep 1000"] });
        ContainerTask blockedTask = await blocked.NewTaskAsync(new ProcessIO { Unattached = true });
        int blockedPid = await blockedTask.StartAsync();
        Container exited = await client.CreateContainerAsync("bpd-exited", image, new ContainerOptions { Args = ["sh", "-c", $"seq 1 {FewLines}; exit 1"] });
        ContainerTask exitedTask = await exited.NewTaskAsync(new ProcessIO { Unattached = true });
        await exitedTask.StartAsync();
        await Task.Delay(Settle, timeout.Token);
        bool blockedFinished = File.Exists($"/proc/{blockedPid}/root/done");

        await blockedTask.KillAsync(9, cancellationToken: timeout.Token);
        ExitStatus killed = await blockedTask.WaitAsync(timeout.Token);
        _ = await blockedTask.DeleteAsync(timeout.Token);
        await blocked.DeleteAsync(timeout.Token);
        ExitStatus exitedStatus = await exitedTask.WaitAsync(timeout.Token);
        _ = await exitedTask.DeleteAsync(timeout.Token);
        await exited.DeleteAsync(timeout.Token);

        Assert.Multiple(() =>
        {
            Assert.That(blockedFinished, Is.False, "the writer was blocked");
            Assert.That(killed.ExitCode, Is.EqualTo(137));
            Assert.That(exitedStatus.ExitCode, Is.EqualTo(1));
            Assert.That(Directory.Exists($"/proc/{blockedPid}"), Is.False);
            Assert.That(client.ListContainersAsync().ToBlockingEnumerable(), Is.Empty);
            AssertNothingLeft();
        });
    }

    [Test]
    public async Task AShimKilledWhileOutputIsHeldBackHangsNothingAndTheDeleteCleansUp()
    {
        (ContainerClient client, Image image) = await Bed.NewClientAsync();
        using CancellationTokenSource timeout = new(TimeSpan.FromMinutes(2));
        Container container = await client.CreateContainerAsync("bpk-" + Guid.NewGuid().ToString("N")[..8], image, new ContainerOptions { Args = ["sh", "-c", $"seq 1 {Lines}; exit 0"] });
        ContainerTask task = await container.NewTaskAsync(new ProcessIO { Unattached = true });
        int pid = await task.StartAsync();
        int shim = ShimProbe.ParentOf(pid);
        await Task.Delay(Settle, timeout.Token);
        ProcessStatus whileUnread = (await task.StatusAsync(timeout.Token)).Status;

        // What the shim held goes with it: the writer's pipe loses its reader, nothing waits on the dead shim.
        System.Diagnostics.Process.GetProcessById(shim).Kill();
        ExitStatus status = await task.WaitAsync(timeout.Token);
        _ = await task.DeleteAsync(timeout.Token);
        await container.DeleteAsync(timeout.Token);
        bool writerGone = await Tasks.ShimTestBed.EventuallyAsync(() => !ShimProbe.IsAlive(pid));

        Assert.Multiple(() =>
        {
            Assert.That(whileUnread, Is.EqualTo(ProcessStatus.Running), "the writer was held back");
            Assert.That(status.IsFailure, Is.True, "the dead shim's task ends with a failure status");
            Assert.That(writerGone, Is.True, "no writer is left");
            Assert.That(client.ListContainersAsync().ToBlockingEnumerable(), Is.Empty);
            AssertNothingLeft();
        });
    }

    /// <summary>Attaches to the process's stdout (and stderr), waits for its exit and the output's end of file, and detaches.</summary>
    private static async Task<(ExitStatus Status, string Stdout, string Stderr)> AttachAndReadAsync(TaskProcess process, bool withStderr, CancellationToken cancellationToken)
    {
        OutputRecorder stdout = new();
        OutputRecorder? stderr = withStderr ? new() : null;
        TaskAttachment attachment = await process.AttachAsync(new ProcessIO { Stdout = stdout, Stderr = stderr }, cancellationToken);
        ExitStatus status = await process.WaitAsync(cancellationToken);
        await attachment.WaitOutputEndedAsync(cancellationToken);
        await attachment.DisposeAsync();
        return (status, stdout.Text, stderr?.Text ?? string.Empty);
    }

    /// <summary>No FIFO, mount or shim stays after the deletes.</summary>
    private void AssertNothingLeft()
    {
        Assert.That(Bed.FifoEntries(), Is.Empty, "FIFOs");
        Assert.That(Bed.MountsUnder(), Is.Empty, "mounts");
        Assert.That(Bed.ShimsAfterExits(), Is.Empty, "shims (each exited with its last task)");
    }

    /// <summary>The pid of the process's parent (its shim), or -1 when it is gone.</summary>
    private static int ShimOf(int pid) => Directory.Exists($"/proc/{pid}") ? ShimProbe.ParentOf(pid) : -1;

    private static string Expected(int lines)
    {
        StringBuilder text = new();
        for (int i = 1; i <= lines; i++)
        {
            _ = text.Append(i).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>Compares by length and SHA-256 (a megabyte of text makes an unreadable failure message).</summary>
    private static void AssertSameText(string actual, string expected, string message)
    {
        Assert.That(actual.Length, Is.EqualTo(expected.Length), $"{message}: length");
        Assert.That(Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(actual))), Is.EqualTo(Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(expected)))), $"{message}: SHA-256");
    }
}
