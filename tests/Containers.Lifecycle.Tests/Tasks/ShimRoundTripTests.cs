using Containers.Events;
using Containers.Lifecycle.Tasks;
using Containers.Tasks;

namespace Containers.Lifecycle.Tests.Tasks;

/// <summary>
/// What a run costs in calls to its shim (session 18): a create that starts the init in the same call, a delete
/// whose answer names the execs (no state call first), and the watcher of a task that goes with the task.
/// </summary>
public sealed class ShimRoundTripTests
{
    [TestCase("runcs")]
    [TestCase("runcs-cli")]
    public async Task ACreateThatStartsRunsTheInitWithTheEventsOfBothCalls(string runtimeName)
    {
        InProcessEventBus events = new();
        using CancellationTokenSource timeout = new(TimeSpan.FromMinutes(2));
        await using ShimTestSession session = await ShimTestSession.CreateAsync(runtimeName, events);
        (ShimTestBed bed, ShimTaskService service) = session;
        (string id, string bundle, string log) = await bed.BundleAsync("lc-rt-run", "echo ran; exit 5");
        await using EventRecording recording = EventRecording.Start(events, timeout.Token);

        // No StartAsync: the create started it.
        int pid = await service.CreateStartedAsync(new TaskCreateRequest(id, bundle) { IO = new TaskIO { Stdout = "file://" + log } }, timeout.Token);
        ExitStatus exit = await service.WaitAsync(id, null, timeout.Token);
        ExitStatus deleted = await service.DeleteAsync(id, null, timeout.Token);

        List<EventEnvelope> seen = await recording.UntilAsync(s => s[^1].Topic == EventTopics.TaskDelete);
        Assert.Multiple(() =>
        {
            Assert.That(pid, Is.GreaterThan(0));
            Assert.That(exit.ExitCode, Is.EqualTo(5));
            Assert.That(deleted.ExitCode, Is.EqualTo(5));
            Assert.That(File.ReadAllText(log), Is.EqualTo("ran\n"));
            Assert.That(seen.Select(e => e.Topic), Is.EqualTo(new[] { EventTopics.TaskCreate, EventTopics.TaskStart, EventTopics.TaskExit, EventTopics.TaskDelete }));
            Assert.That(((TaskStart)seen[1].Event).Pid, Is.EqualTo(pid));
        });
    }

    [Test]
    public async Task ACreateWhoseStartFailsLeavesNoTask()
    {
        // A start cannot be made to fail for real once a create succeeded: a wrapper fails the runtime's "start" verb
        // (and passes every other call to runcs's command line).
        using ShimTestBed bed = await ShimTestBed.CreateAsync();
        string wrapper = Path.Combine(Path.GetDirectoryName(bed.State)!, "start-fails");
        await File.WriteAllTextAsync(wrapper, $"#!/bin/sh\nfor a in \"$@\"; do [ \"$a\" = start ] && {{ echo 'start refused by the test' >&2; exit 1; }}; done\nexec {bed.Runcs} \"$@\"\n");
        File.SetUnixFileMode(wrapper, (UnixFileMode)0b111_101_101);
        await using ShimTaskService service = bed.NewService(wrapper);
        (string id, string bundle, _) = await bed.BundleAsync("lc-rt-fail", "exec sleep 1000");

        ShimException? failed = Assert.ThrowsAsync<ShimException>(async () => await service.CreateStartedAsync(new TaskCreateRequest(id, bundle), CancellationToken.None));

        Assert.That(failed!.Reason, Is.EqualTo(ShimFailure.RuntimeFailed));
        Assert.That(failed.Message, Does.Contain("start refused by the test"));
        Assert.ThrowsAsync<NotFoundException>(async () => await service.StateAsync(id));
        Assert.That(Directory.Exists($"/sys/fs/cgroup/pids/lifecycle-tests/{id}"), Is.False, "the created container's cgroup went with it");
        Assert.That(await ShimTestBed.EventuallyAsync(() => bed.ShimPids().Length == 0), Is.True, "the shim, left without a task, exited");
    }

    [Test]
    public async Task TheDeleteNamesTheExecsTheShimStillHeld()
    {
        await using ShimTestSession session = await ShimTestSession.CreateAsync();
        ShimTaskService service = session.Service;
        (string id, _, string log, _) = await session.StartTaskAsync("lc-rt-exec", "exec sleep 1000");
        byte[] process = """{"args":["/bin/sh","-c","exec sleep 1000"],"cwd":"/","env":["PATH=/bin"],"user":{"uid":0,"gid":0}}"""u8.ToArray();
        string execLog = "file://" + log + ".exec";
        await service.ExecAsync(new TaskExecRequest(id, "kept", process) { IO = new TaskIO { Stdout = execLog } });
        _ = await service.StartAsync(id, "kept");

        await service.KillAsync(id, 9, null, all: true);
        _ = await service.WaitAsync(id);
        (ExitStatus status, _, IReadOnlyList<TaskIO> execs) = await service.DeleteWithStdioAsync(id, initStdio: false, CancellationToken.None);

        Assert.That(status.ExitCode, Is.EqualTo(137));
        Assert.That(execs.Select(e => e.Stdout), Is.EqualTo(new[] { execLog }), "the exec nobody deleted, from the delete's answer");
        Assert.ThrowsAsync<NotFoundException>(async () => await service.StateAsync(id));
    }

    [Test]
    public async Task AWatcherGoesWithItsTask()
    {
        await using ShimTestSession session = await ShimTestSession.CreateAsync("runcs", new InProcessEventBus());
        (ShimTestBed bed, ShimTaskService service) = session;
        for (int i = 0; i < 3; i++)
        {
            (string id, string bundle, _) = await bed.BundleAsync("lc-rt-watch", "exit 0");
            _ = await service.CreateStartedAsync(new TaskCreateRequest(id, bundle), CancellationToken.None);
            Assert.That(service.WatchedTasks, Is.EqualTo(1), "the started task is watched");
            Assert.That((await service.WaitAsync(id)).ExitCode, Is.Zero);
            _ = await service.DeleteAsync(id);
        }

        Assert.That(service.WatchedTasks, Is.Zero, "a host running container after container keeps no watcher per id it ran");
    }
}
