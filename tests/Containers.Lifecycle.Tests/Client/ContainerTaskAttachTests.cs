using Containers.Client;
using Containers.Images;
using Containers.Linux.Supervision;
using Containers.Oci;
using Containers.Oci.Runtime;
using Containers.Tasks;
using Microsoft.Extensions.DependencyInjection;

namespace Containers.Lifecycle.Tests.Client;

/// <summary>
/// Attaching to a running task's FIFOs from another client (a new host process over the same root and state), and detaching;
/// the FIFO directories of execs nobody deleted go with the task's delete, also when another host made them.
/// </summary>
[NonParallelizable]
public sealed class ContainerTaskAttachTests : FacadeFixture
{
    [Test]
    public async Task ASecondClientAttachesReadsLaterOutputWritesStdinAndDetachLeavesTheTaskRunning()
    {
        (ContainerClient first, Image image) = await Bed.NewClientAsync();
        using CancellationTokenSource timeout = new(TimeSpan.FromMinutes(2));
        (string id, ContainerTask started) = await StartUnattachedAsync(first, image, "attach-", "while read l; do echo got-$l; echo err-$l >&2; done; exit 6");

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
            Assert.That(Bed.FifoEntries(), Is.Empty, "the delete by the second client removed the first's FIFOs");
            Assert.That(Bed.MountsUnder(), Is.Empty);
            Assert.That(Bed.ShimsAfterExits(), Is.Empty);
        });
    }

    [Test]
    public async Task ASecondClientLoadsAnExecByIdAttachesToItsOwnFifosAndDeletesIt()
    {
        (ContainerClient first, Image image) = await Bed.NewClientAsync();
        using CancellationTokenSource timeout = new(TimeSpan.FromMinutes(2));
        (string id, ContainerTask task) = await StartUnattachedAsync(first, image, "attachx-", "echo init-out; echo init-err >&2; exec sleep 1000");
        // The first host makes an exec whose FIFOs nobody reads, then goes away (its handle is dropped).
        ExecProcess made = await task.ExecAsync("x1", ["sh", "-c", "echo x-early; while read l; do echo x-got-$l; echo x-err-$l >&2; done; exit 7"], new ProcessIO { Unattached = true });
        await made.StartAsync();

        ContainerClient second = Bed.NewProvider().GetRequiredService<ContainerClient>();
        ContainerTask loadedTask = await (await second.LoadContainerAsync(id)).LoadTaskAsync();
        ExecProcess loaded = await loadedTask.LoadProcessAsync("x1");
        TaskState execState = await loaded.StatusAsync();
        TaskState initState = await loadedTask.StatusAsync();
        OutputRecorder stdout = new();
        OutputRecorder stderr = new();
        using InputFeeder input = new();
        TaskAttachment attached = await loaded.AttachAsync(new ProcessIO { Stdin = input.Stream, Stdout = stdout, Stderr = stderr });
        await input.WriteAsync("a\n");
        await stdout.WaitForAsync("x-got-a\n", timeout.Token);
        await stderr.WaitForAsync("x-err-a\n", timeout.Token);
        await attached.DisposeAsync();
        ProcessStatus afterDetach = (await loaded.StatusAsync()).Status;

        // Attached again from the second host: input goes on, CloseStdin ends the exec's read loop.
        OutputRecorder again = new();
        using InputFeeder againInput = new();
        TaskAttachment reattached = await loaded.AttachAsync(new ProcessIO { Stdin = againInput.Stream, Stdout = again });
        await againInput.WriteAsync("b\n");
        await again.WaitForAsync("x-got-b\n", timeout.Token);
        await loaded.CloseStdinAsync();
        ExitStatus execStatus = await loaded.WaitAsync(timeout.Token);
        await reattached.WaitOutputEndedAsync(timeout.Token);
        await reattached.DisposeAsync();
        _ = await loaded.DeleteAsync();
        bool execFifosGone = !File.Exists(execState.IO.Stdout!) && !Directory.Exists(Path.GetDirectoryName(execState.IO.Stdout!));
        NotFoundException? unknown = Assert.ThrowsAsync<NotFoundException>(async () => await loadedTask.LoadProcessAsync("x2"));
        await loadedTask.KillAsync(9);
        _ = await loadedTask.WaitAsync(timeout.Token);
        _ = await loadedTask.DeleteAsync();
        await (await second.LoadContainerAsync(id)).DeleteAsync();

        Assert.Multiple(() =>
        {
            Assert.That(execState.IO.Stdout, Is.Not.Null.And.Not.EqualTo(initState.IO.Stdout), "the shim names the exec's own FIFOs, not the init's");
            Assert.That(execState.IO.Stdin, Is.Not.Null.And.Not.EqualTo(initState.IO.Stdin));
            Assert.That(loaded.Pid, Is.GreaterThan(0).And.EqualTo(execState.Pid));
            Assert.That(stdout.Text, Is.EqualTo("x-early\nx-got-a\n"), "what waited in the exec's FIFO, then the answer; nothing of the init's");
            Assert.That(stderr.Text, Is.EqualTo("x-err-a\n"));
            Assert.That(afterDetach, Is.EqualTo(ProcessStatus.Running), "detaching leaves the exec running");
            Assert.That(again.Text, Is.EqualTo("x-got-b\n"));
            Assert.That(execStatus.ExitCode, Is.EqualTo(7));
            Assert.That(execFifosGone, Is.True, "the second host's delete of the exec removed the FIFOs the first made");
            Assert.That(unknown, Is.Not.Null);
            Assert.That(Bed.FifoEntries(), Is.Empty);
            Assert.That(Bed.MountsUnder(), Is.Empty);
            Assert.That(Bed.ShimsAfterExits(), Is.Empty);
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

    [Test]
    public async Task TheTasksDeleteByASecondClientRemovesTheFifosOfExecsTheFirstMadeAndNobodyDeleted()
    {
        (ContainerClient first, Image image) = await Bed.NewClientAsync();
        using CancellationTokenSource timeout = new(TimeSpan.FromMinutes(2));
        (string id, ContainerTask task) = await StartUnattachedAsync(first, image, "execfifo-", "exec sleep 1000");
        // The first host makes two execs with FIFOs nobody reads — one still running, one exited — and
        // goes away without deleting them (its handles are dropped).
        ExecProcess running = await task.ExecAsync("live", ["sleep", "1000"], new ProcessIO { Unattached = true });
        await running.StartAsync();
        ExecProcess exited = await task.ExecAsync("done", ["sh", "-c", "echo bye; exit 3"], new ProcessIO { Unattached = true });
        await exited.StartAsync();
        Assert.That((await exited.WaitAsync(timeout.Token)).ExitCode, Is.EqualTo(3));
        // And one as a client before session 16 made it: its FIFO directory under State/fifo, known only to the shim.
        string fifoRoot = Path.Combine(Bed.State, "fifo");
        StdioFifos legacy = StdioFifos.Create(fifoRoot, new ProcessIO { Unattached = true });
        Spec spec = (await first.LoadContainerAsync(id)).Spec;
        spec.Process!.Args = ["sleep", "1000"];
        byte[] process = System.Text.Encoding.UTF8.GetBytes(System.Text.Json.Nodes.JsonNode.Parse(RuntimeSpecJson.Serialize(spec))!["process"]!.ToJsonString());
        await first.Tasks.ExecAsync(new TaskExecRequest(id, "old", process) { IO = legacy.TaskIO });
        _ = await first.Tasks.StartAsync(id, "old");

        ContainerClient second = Bed.NewProvider().GetRequiredService<ContainerClient>();
        ContainerTask loaded = await (await second.LoadContainerAsync(id)).LoadTaskAsync();
        string?[] execDirectories =
        [
            Path.GetDirectoryName((await (await loaded.LoadProcessAsync("live")).StatusAsync()).IO.Stdout),
            Path.GetDirectoryName((await (await loaded.LoadProcessAsync("done")).StatusAsync()).IO.Stdout),
        ];
        string? legacyDirectory = Path.GetDirectoryName((await (await loaded.LoadProcessAsync("old")).StatusAsync()).IO.Stdout);
        string execRoot = Path.Combine(Bed.State, "bundles", FacadeTestBed.Namespace, id, "execs");
        // A directory under State/fifo that is not one of ours (not a FIFO directory's name) stays.
        string foreign = Directory.CreateDirectory(Path.Combine(fifoRoot, "not-a-fifo-directory")).FullName;
        int directoriesBefore = Directory.GetDirectories(execRoot).Length;
        int legacyBefore = Directory.GetDirectories(fifoRoot).Length;

        await loaded.KillAsync(9, all: true);
        _ = await loaded.WaitAsync(timeout.Token);
        _ = await loaded.DeleteAsync();
        await (await second.LoadContainerAsync(id)).DeleteAsync();

        Assert.Multiple(() =>
        {
            Assert.That(execDirectories, Has.All.Not.Null.And.All.StartsWith(execRoot + "/"), "an exec's FIFOs are in its task's bundle");
            Assert.That(directoriesBefore, Is.EqualTo(2), "the two execs' (the task's own FIFOs are in its bundle)");
            Assert.That(legacyDirectory, Does.StartWith(fifoRoot + "/"));
            Assert.That(legacyBefore, Is.EqualTo(2), "the old-layout exec's and the foreign directory");
            Assert.That(execDirectories.Append(legacyDirectory).Where(Directory.Exists!), Is.Empty, "the exec FIFO directories went with the task, old layout too (its shim named it)");
            Assert.That(Directory.Exists(execRoot), Is.False);
            Assert.That(Directory.GetFileSystemEntries(fifoRoot), Is.EqualTo(new[] { foreign }), "only the foreign directory is left");
            Assert.That(Bed.MountsUnder(), Is.Empty);
            Assert.That(Bed.ShimsAfterExits(), Is.Empty);
        });
        Directory.Delete(foreign);
    }

    [Test]
    public async Task TheFifosOfExecsGoWithTheTaskAlsoWhenItsShimDied()
    {
        (ContainerClient first, Image image) = await Bed.NewClientAsync();
        using CancellationTokenSource timeout = new(TimeSpan.FromMinutes(2));
        (string id, ContainerTask task) = await StartUnattachedAsync(first, image, "deadshim-", "exec sleep 1000");
        ExecProcess exec = await task.ExecAsync("live", ["sleep", "1000"], new ProcessIO { Unattached = true });
        await exec.StartAsync();
        string? execDirectory = Path.GetDirectoryName((await exec.StatusAsync()).IO.Stdout);
        string shim = Bed.Shims().Single();
        int shimPid = int.Parse(File.ReadAllText(ShimPaths.PidFile(shim)), System.Globalization.CultureInfo.InvariantCulture);

        // The shim dies (it alone knew the exec's FIFO paths); a new host deletes the task.
        System.Diagnostics.Process.GetProcessById(shimPid).Kill();
        bool shimDied = await Tasks.ShimTestBed.EventuallyAsync(() => !ShimProbe.IsAlive(shimPid));

        ContainerClient second = Bed.NewProvider().GetRequiredService<ContainerClient>();
        ContainerTask loaded = await (await second.LoadContainerAsync(id)).LoadTaskAsync(timeout.Token);
        ExitStatus status = await loaded.DeleteAsync(timeout.Token);
        await (await second.LoadContainerAsync(id)).DeleteAsync(timeout.Token);

        Assert.Multiple(() =>
        {
            Assert.That(shimDied, Is.True, "the shim died");
            Assert.That(status.IsFailure, Is.True, "the dead shim's task reports a failure exit");
            Assert.That(execDirectory, Is.Not.Null.And.StartsWith(Path.Combine(Bed.State, "bundles") + "/"));
            Assert.That(Directory.Exists(execDirectory), Is.False, "the exec's FIFO directory went with the task");
            Assert.That(Directory.Exists(Path.Combine(Bed.State, "bundles", FacadeTestBed.Namespace, id)), Is.False, "so did the bundle");
            Assert.That(Bed.FifoEntries(), Is.Empty, "nothing under State/fifo");
            Assert.That(Bed.MountsUnder(), Is.Empty);
            Assert.That(Bed.ShimsAfterExits(), Is.Empty);
        });
    }

    /// <summary>A new container running <paramref name="script"/> under sh, its task started with FIFOs nobody reads (ctr's <c>run -d</c>).</summary>
    private static async Task<(string Id, ContainerTask Task)> StartUnattachedAsync(ContainerClient client, Image image, string prefix, string script)
    {
        string id = prefix + Guid.NewGuid().ToString("N")[..8];
        Container created = await client.CreateContainerAsync(id, image, new ContainerOptions { Args = ["sh", "-c", script] });
        ContainerTask task = await created.NewTaskAsync(new ProcessIO { Unattached = true });
        await task.StartAsync();
        return (id, task);
    }
}
