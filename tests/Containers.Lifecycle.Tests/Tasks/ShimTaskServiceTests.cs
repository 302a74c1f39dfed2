using Containers.Events;
using Containers.Lifecycle.Tasks;
using Containers.Linux.Supervision;
using Containers.Tasks;

namespace Containers.Lifecycle.Tests.Tasks;

/// <summary>
/// Tasks through real <c>runcs shim</c> processes on busybox bundles, driving runcs in-process ("runcs",
/// the default), runcs through its command line ("runcs-cli"), runc and crun.
/// </summary>
public sealed class ShimTaskServiceTests
{
    [TestCase("runcs")]
    [TestCase("runcs-cli")]
    [TestCase("runc")]
    [TestCase("crun")]
    public async Task CreateStartWaitDeleteCapturesExitCodeAndOutput(string runtimeName)
    {
        await using ShimTestSession session = await ShimTestSession.CreateAsync(runtimeName);
        (ShimTestBed bed, ShimTaskService service) = session;
        (string id, string bundle, string log) = await bed.BundleAsync("lc-shim", "echo out-line; echo err-line >&2; exit 3",
            // crun 1.8 refuses runtime-spec 1.2 ("unknown version specified").
            ociVersion: runtimeName == "crun" ? "1.0.2" : null);

        int pid = await service.CreateAsync(new TaskCreateRequest(id, bundle) { IO = new TaskIO { Stdout = "file://" + log, Stderr = "file://" + log } });
        TaskState created = await service.StateAsync(id);
        int shimPid = bed.ShimPid();
        Assert.Multiple(() =>
        {
            Assert.That(pid, Is.GreaterThan(0));
            Assert.That(created.Status, Is.EqualTo(ProcessStatus.Created));
            Assert.That(created.Pid, Is.EqualTo(pid));
            Assert.That(created.Bundle, Is.EqualTo(bundle));
            // The shim is a daemon of its own session (since session 20 this host's child, which its reaper reaps).
            Assert.That(SessionOf(shimPid), Is.EqualTo(shimPid), "the shim leads a session of its own");
            Assert.That(SessionOf(shimPid), Is.Not.EqualTo(SessionOf(Environment.ProcessId)));
            Assert.That(File.ReadAllText($"/proc/{pid}/status"), Does.Contain($"PPid:\t{shimPid}\n"), "the init re-parented to the subreaper shim");
        });

        Assert.That(await service.StartAsync(id), Is.EqualTo(pid));
        ExitStatus exit = await service.WaitAsync(id);
        Assert.Multiple(() =>
        {
            Assert.That(exit.ExitCode, Is.EqualTo(3));
            Assert.That(exit.IsFailure, Is.False);
            string[] lines = File.ReadAllLines(log);
            Assert.That(lines, Does.Contain("out-line"));
            Assert.That(lines, Does.Contain("err-line"));
        });

        TaskState stopped = await service.StateAsync(id);
        Assert.That(stopped.Status, Is.EqualTo(ProcessStatus.Stopped));
        Assert.That(stopped.Exit?.ExitCode, Is.EqualTo(3));

        ExitStatus deleted = await service.DeleteAsync(id);
        Assert.That(deleted, Is.EqualTo(exit));
        Assert.That(await ShimTestBed.EventuallyAsync(() => !ShimTestBed.IsAlive(shimPid)), Is.True, "the shim exits with its last task");
        Assert.That(await ShimTestBed.EventuallyAsync(() => !File.Exists($"/proc/{shimPid}/status")), Is.True, "and was reaped: no zombie is left");
        Assert.That(Directory.GetDirectories(bed.Shims), Is.Empty, "the shim removed its state");
        Assert.ThrowsAsync<NotFoundException>(async () => await service.StateAsync(id));
    }

    [TestCase("runcs")]
    [TestCase("runcs-cli")]
    public async Task KillStopsARunningTaskAndPublishesItsExit(string runtimeName)
    {
        InProcessEventBus events = new();
        using CancellationTokenSource timeout = new(TimeSpan.FromMinutes(2));
        await using ShimTestSession session = await ShimTestSession.CreateAsync(runtimeName, events);
        (ShimTestBed bed, ShimTaskService service) = session;
        (string id, string bundle, string log) = await bed.BundleAsync("lc-shim-kill", "echo started; exec sleep 1000");
        await using EventRecording recording = EventRecording.Start(events, timeout.Token);

        int pid = await service.CreateAsync(new TaskCreateRequest(id, bundle) { IO = new TaskIO { Stdout = "file://" + log } });
        _ = await service.StartAsync(id);
        Assert.That((await service.StateAsync(id)).Status, Is.EqualTo(ProcessStatus.Running));
        Assert.That((await service.PidsAsync(id)).Select(p => p.Pid), Does.Contain(pid));
        FailedPreconditionException? refused = Assert.ThrowsAsync<FailedPreconditionException>(async () => await service.DeleteAsync(id));
        Assert.That(refused!.Message, Does.Contain("running"));

        await service.KillAsync(id, 9);
        ExitStatus exit = await service.WaitAsync(id);
        Assert.That(exit.ExitCode, Is.EqualTo(128 + 9));
        Assert.That((await service.DeleteAsync(id)).ExitCode, Is.EqualTo(128 + 9));
        Assert.ThrowsAsync<NotFoundException>(async () => await service.KillAsync(id, 9));

        List<EventEnvelope> seen = await recording.UntilAsync(s => s[^1].Event is TaskExit);
        List<string> topics = [.. seen.Select(e => e.Topic)];
        TaskExit? published = seen.LastOrDefault()?.Event as TaskExit;
        Assert.That(published, Is.Not.Null, string.Join(", ", topics));
        Assert.That(published!.ContainerId, Is.EqualTo(id));
        Assert.That(published.ExitCode, Is.EqualTo(137));
        Assert.That(topics, Is.EqualTo(new[] { EventTopics.TaskCreate, EventTopics.TaskStart, EventTopics.TaskExit }));
    }

    [TestCase("runcs")]
    [TestCase("runcs-cli")]
    [TestCase("runc")]
    public async Task ExecRunsAnotherProcessInTheTask(string runtimeName)
    {
        await using ShimTestSession session = await ShimTestSession.CreateAsync(runtimeName);
        ShimTaskService service = session.Service;
        (string id, _, string log, _) = await session.StartTaskAsync("lc-shim-exec", "exec sleep 1000");

        string execLog = log + ".exec";
        byte[] process = """{"args":["/bin/sh","-c","echo from-exec; exit 4"],"cwd":"/","env":["PATH=/bin"],"user":{"uid":0,"gid":0}}"""u8.ToArray();
        await service.ExecAsync(new TaskExecRequest(id, "e1", process) { IO = new TaskIO { Stdout = "file://" + execLog } });
        Assert.ThrowsAsync<AlreadyExistsException>(async () => await service.ExecAsync(new TaskExecRequest(id, "e1", process)));
        int execPid = await service.StartAsync(id, "e1");
        ExitStatus execExit = await service.WaitAsync(id, "e1");
        Assert.Multiple(() =>
        {
            Assert.That(execPid, Is.GreaterThan(0));
            Assert.That(execExit.ExitCode, Is.EqualTo(4));
            Assert.That(File.ReadAllText(execLog), Is.EqualTo("from-exec\n"));
        });
        Assert.That((await service.DeleteAsync(id, "e1")).ExitCode, Is.EqualTo(4));

        await service.KillAsync(id, 9);
        Assert.That((await service.WaitAsync(id)).ExitCode, Is.EqualTo(137));
        _ = await service.DeleteAsync(id);
    }

    [TestCase("runcs")]
    [TestCase("runcs-cli")]
    public async Task PauseAndResumeFreezeTheTask(string runtimeName)
    {
        await using ShimTestSession session = await ShimTestSession.CreateAsync(runtimeName);
        ShimTaskService service = session.Service;
        (string id, _, _, int pid) = await session.StartTaskAsync("lc-shim-pause", "exec sleep 1000");

        await service.PauseAsync(id);
        Assert.That((await service.StateAsync(id)).Status, Is.EqualTo(ProcessStatus.Paused));
        Assert.That(FreezerState(pid), Is.EqualTo("FROZEN"));
        Assert.ThrowsAsync<FailedPreconditionException>(async () => await service.PauseAsync(id));
        await service.ResumeAsync(id);
        Assert.That((await service.StateAsync(id)).Status, Is.EqualTo(ProcessStatus.Running));
        Assert.That(FreezerState(pid), Is.EqualTo("THAWED"));

        await ShimTestBed.KillAndDeleteAsync(service, id);
    }

    [TestCase("runcs")]
    [TestCase("runcs-cli")]
    public async Task ABadBundleFailsCreateWithTheRuntimesMessageAndLeavesNothing(string runtimeName)
    {
        await using ShimTestSession session = await ShimTestSession.CreateAsync(runtimeName);
        (ShimTestBed bed, ShimTaskService service) = session;
        (string id, string bundle, _) = await bed.BundleAsync("lc-shim-bad", "true");
        string config = Path.Combine(bundle, "config.json");
        await File.WriteAllTextAsync(config, "{\"ociVersion\": ");

        ShimException? failed = Assert.ThrowsAsync<ShimException>(async () => await service.CreateAsync(new TaskCreateRequest(id, bundle)));
        Assert.That(failed!.Reason, Is.EqualTo(ShimFailure.RuntimeFailed));
        Assert.That(failed.Message, Does.Contain("create"));
        Assert.That(await ShimTestBed.EventuallyAsync(() => Directory.GetDirectories(bed.Shims).Length == 0), Is.True, "the shim removed its state and exited");
        Assert.ThrowsAsync<NotFoundException>(async () => await service.WaitAsync(id));
    }

    [TestCase("runcs")]
    [TestCase("runcs-cli")]
    public async Task ADeadShimReportsItsTaskFailedInsteadOfHanging(string runtimeName)
    {
        await using ShimTestSession session = await ShimTestSession.CreateAsync(runtimeName);
        (ShimTestBed bed, ShimTaskService service) = session;
        (string id, _, _, int pid) = await session.StartTaskAsync("lc-shim-dead", "exec sleep 1000");
        int shimPid = bed.ShimPid();
        ValueTask<ExitStatus> pendingWait = service.WaitAsync(id);

        System.Diagnostics.Process.GetProcessById(shimPid).Kill();
        ExitStatus lost = await pendingWait;
        TaskState state = await service.StateAsync(id);
        Assert.Multiple(() =>
        {
            Assert.That(lost.IsFailure, Is.True);
            Assert.That(lost.ExitCode, Is.EqualTo(ExitStatus.UnknownExitCode));
            Assert.That(lost.Failure, Does.Contain("shim"));
            Assert.That(state.Status, Is.EqualTo(ProcessStatus.Stopped));
            Assert.That(state.Exit?.IsFailure, Is.True);
        });
        Assert.ThrowsAsync<FailedPreconditionException>(async () => await service.KillAsync(id, 9));

        // Delete cleans up after the dead shim: the orphaned container is killed (runtime delete --force).
        ExitStatus deleted = await service.DeleteAsync(id);
        Assert.That(deleted.IsFailure, Is.True);
        Assert.That(await ShimTestBed.EventuallyAsync(() => !ShimTestBed.IsAlive(pid)), Is.True, "the orphaned container was killed");
        Assert.That(Directory.GetDirectories(bed.Shims), Is.Empty);
    }

    private static string FreezerState(int pid)
    {
        string path = File.ReadAllLines($"/proc/{pid}/cgroup").Single(l => l.Split(':')[1] == "freezer").Split(':', 3)[2];
        return File.ReadAllText($"/sys/fs/cgroup/freezer{path}/freezer.state").Trim();
    }

    /// <summary>The session id of a process: the fourth field after the command in /proc/PID/stat.</summary>
    private static int SessionOf(int pid)
    {
        string stat = File.ReadAllText($"/proc/{pid}/stat");
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return int.Parse(fields[3], System.Globalization.CultureInfo.InvariantCulture);
    }
}
