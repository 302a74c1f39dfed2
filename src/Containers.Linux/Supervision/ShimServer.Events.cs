using System.Text.Json;
using Containers.Linux.Cgroups;

namespace Containers.Linux.Supervision;

/// <summary>
/// What the shim reports about a task's cgroup: OOM notifications (watched from the loop from
/// create on, answered to hosts waiting with the oom operation) and statistics (metrics).
/// </summary>
internal sealed partial class ShimServer
{
    /// <summary>Registers the task's memory cgroup for OOM notifications, before anything of it runs.</summary>
    private void WatchOom(ShimTask task)
    {
        try
        {
            task.Oom = OomWatch.Open(ShimCgroup.Of(task.Init.Pid));
        }
        catch (Exception ex) when (ex is ContainersException or IOException or UnauthorizedAccessException)
        {
            // The task runs without OOM reports rather than not at all; say why in shim.log.
            Interop.WriteFully(2, System.Text.Encoding.UTF8.GetBytes($"shim: task {task.Record.Id}: no OOM notifications: {ex.Message}\n"));
        }

        if (task.Oom is OomWatch watch)
        {
            Watch(watch.Fd.Fd, _ => OnOom(task));
        }
    }

    private void OnOom(ShimTask task)
    {
        if (task.Oom is not OomWatch watch)
        {
            return;
        }

        ulong added = watch.Drain();
        if (watch.Gone)
        {
            StopOomWatch(task);
        }

        if (added > 0)
        {
            task.OomCount += added;
            AnswerOomWaiters(task, null);
        }
    }

    private void StopOomWatch(ShimTask task)
    {
        if (task.Oom is OomWatch watch)
        {
            Unwatch(watch.Fd);
            watch.Dispose();
            task.Oom = null;
        }
    }

    /// <summary>
    /// Before an exit is recorded: an OOM kill's notification and the killed init's pidfd can come in
    /// one epoll batch, in either order; reading the OOM first means a host never learns of the exit
    /// and misses the OOM that caused it.
    /// </summary>
    private void BeforeExitRecorded(ShimProcess process)
    {
        if (process.ExecId is null && FindTask(process) is ShimTask task)
        {
            OnOom(task);
        }
    }

    /// <summary>After the init's exit is recorded: hosts waiting for OOMs learn that no more will come.</summary>
    private void AfterExitRecorded(ShimProcess process)
    {
        if (process.ExecId is null && FindTask(process) is ShimTask task)
        {
            AnswerOomWaiters(task, null);
        }
    }

    private ShimTask? FindTask(ShimProcess init)
    {
        foreach (ShimTask task in _tasks.Values)
        {
            if (ReferenceEquals(task.Init, init))
            {
                return task;
            }
        }

        return null;
    }

    private void AnswerOomWaiters(ShimTask task, ShimResponse? answer)
    {
        foreach (ShimConnection waiter in task.OomWaiters.ToArray())
        {
            waiter.WaitingOom = null;
            Reply(waiter, answer ?? new ShimResponse { OomCount = task.OomCount, Exit = task.Init.Exit });
            ProcessFrames(waiter);
        }

        task.OomWaiters.Clear();
    }

    /// <summary>Stops a task's OOM watch as the task is deleted; waiting hosts are told it is gone.</summary>
    private void ReleaseOom(ShimTask task)
    {
        StopOomWatch(task);
        AnswerOomWaiters(task, ShimResponse.Failure(ShimErrorKind.NotFound, $"task \"{task.Record.Id}\" was deleted"));
    }

    private ShimResponse? OomWait(ShimConnection connection, ShimRequest request)
    {
        ShimTask task = RequireTask(request);
        if (task.OomCount > request.After || task.Init.Exit is not null)
        {
            return new ShimResponse { OomCount = task.OomCount, Exit = task.Init.Exit };
        }

        connection.WaitingOom = task;
        task.OomWaiters.Add(connection);
        return null;
    }

    private ShimResponse Metrics(ShimRequest request)
    {
        ShimTask task = RequireTask(request);
        if (task.Init.Exit is not null || task.Init.Pid <= 0)
        {
            throw new ShimFault(ShimErrorKind.FailedPrecondition, $"task \"{task.Record.Id}\" is {task.Init.Status}; metrics need a live cgroup");
        }

        ShimCgroup cgroup = ShimCgroup.Of(task.Init.Pid);
        ICgroupManager manager = CgroupManager.Open(cgroup.Layout, cgroup.Path);
        CgroupStats stats = manager.GetStats();
        return new ShimResponse
        {
            Pid = task.Init.Pid,
            OomCount = cgroup.MemoryDirectory is null ? 0 : manager.GetOomKillCount(),
            Json = JsonSerializer.Serialize(stats, CgroupStatsJsonContext.Default.CgroupStats),
        };
    }
}
