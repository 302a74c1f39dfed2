using Containers.Events;
using Containers.Linux.Supervision;
using Containers.Tasks;

namespace Containers.Lifecycle.Tasks;

/// <summary>Task watchers: one <c>oom</c> long-poll per running task that publishes its <see cref="TaskOom"/>s, then its <see cref="TaskExit"/>.</summary>
public sealed partial class ShimTaskService
{
    /// <summary>How long a delete waits for the task's watcher to publish the exit it has.</summary>
    private static readonly TimeSpan WatcherDrainTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Waits until the kernel's OOM killer acts in the task's memory cgroup (true), or the task's init
    /// exits without that having happened (false). It asks the shim, which counted the OOMs since the
    /// task was created, so an OOM from before the call — or from before this host process started — is seen.
    /// </summary>
    /// <param name="containerId">The task's container id.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <exception cref="NotFoundException">There is no such task.</exception>
    /// <exception cref="FailedPreconditionException">The task's shim is gone.</exception>
    public async ValueTask<bool> WaitForOomAsync(string containerId, CancellationToken cancellationToken = default)
    {
        ShimResponse response = await CallAsync(containerId, new ShimRequest { Op = ShimOps.Oom, Id = containerId, After = 0 }, cancellationToken).ConfigureAwait(false);
        return response.OomCount > 0;
    }

    /// <summary>
    /// Publishes a <see cref="TaskOom"/> for every OOM notification the task's shim counts, then the init's
    /// <see cref="TaskExit"/> (once per container per service), over one connection: the shim answers the
    /// <c>oom</c> long-poll when its count passes the one given, or when the init has exited — with the exit
    /// record the <c>wait</c> operation would give — so the OOMs are always published before the exit. A new
    /// host starts from zero, so it sees the OOMs of the time it was away as well; each event is published by
    /// the one host that claims it first (see <see cref="ClaimEvent"/>), so none is published twice. A shim
    /// that is gone publishes the exit it recorded on disk (or the failure), as a wait would report it.
    /// </summary>
    private void WatchTask(string containerId)
    {
        if (_events is null)
        {
            return;
        }

        lock (_watchersLock)
        {
            if (_watchers.TryGetValue(containerId, out TaskWatch? running) && !running.Done.IsCompleted)
            {
                return;
            }

            TaskWatch watch = new();
            _watchers[containerId] = watch;
            watch.Done = Task.Run<ExitStatus?>(async () =>
            {
                ExitStatus? seen = null;
                try
                {
                    seen = await WatchAsync(containerId, watch).ConfigureAwait(false);
                    return seen;
                }
                finally
                {
                    _ = watch.Exit.TrySetResult(seen);
                }
            });
        }
    }

    private async Task<ExitStatus?> WatchAsync(string containerId, TaskWatch watch)
    {
        try
        {
            ShimClient client = new(RequireShimDirectory(containerId));
            ulong seen = 0;
            int pid = InitPid(containerId);
            ExitStatus status;
            while (true)
            {
                ShimResponse response;
                try
                {
                    response = await client.CallAsync(new ShimRequest { Op = ShimOps.Oom, Id = containerId, After = seen }, _closing.Token).ConfigureAwait(false);
                }
                catch (ShimException ex) when (ex.Reason == ShimFailure.Unavailable)
                {
                    if (_deleting.ContainsKey(containerId))
                    {
                        // The shim went because this host deleted the task: not a lost exit; the delete has the real one.
                        return null;
                    }

                    status = LostStatus(containerId, null, ex.Message);
                    break;
                }

                for (; seen < response.OomCount; seen++)
                {
                    if (ClaimEvent(containerId, OomEventMarker(containerId, pid, seen)))
                    {
                        await PublishAsync(new TaskOom(containerId)).ConfigureAwait(false);
                    }
                }

                if (response.Exit is not null)
                {
                    status = ToStatus(response.Exit);
                    break;
                }
            }

            // A wait of the init here has its answer now; claiming and publishing the event follows.
            _ = watch.Exit.TrySetResult(status);
            if (ClaimEvent(containerId, ExitEventMarker(containerId, status), status))
            {
                await PublishAsync(new TaskExit(containerId, containerId, 0, status.ExitCode, status.ExitedAt)).ConfigureAwait(false);
            }

            return status;
        }
        catch (OperationCanceledException)
        {
            // The service is closing; the shim keeps the exit (and the OOM count) for the next one.
            return null;
        }
        catch (ContainersException)
        {
            // Deleted meanwhile, before this watcher had the exit: the delete publishes the one it reports.
            return null;
        }
    }

    /// <summary>
    /// Waits (bounded by <see cref="WatcherDrainTimeout"/>) for the task's watcher, which has its exit by now, to
    /// publish it: a delete publishes <see cref="TaskDelete"/> after the task's <see cref="TaskExit"/>, as
    /// containerd's events come, and removes the event markers only once the watcher has claimed its own.
    /// </summary>
    /// <returns>
    /// False when the task's watcher ended without the exit because the delete took the task first. True when it
    /// published the exit or found it published, when no watcher ran here (a task never started, or one whose exit
    /// came while this host was away, published when it reconnected), or when it is still waiting (a shim that
    /// neither answers nor closes the long-poll: the watcher publishes when it does).
    /// </returns>
    private async ValueTask<bool> DrainWatcherAsync(string containerId)
    {
        Task<ExitStatus?>? watcher;
        lock (_watchersLock)
        {
            watcher = _watchers.TryGetValue(containerId, out TaskWatch? watch) ? watch.Done : null;
        }

        if (watcher is null)
        {
            // Never started here (or the exit came while this host was away: reconnecting published it).
            return true;
        }

        try
        {
            return await watcher.WaitAsync(WatcherDrainTimeout).ConfigureAwait(false) is not null;
        }
        catch (TimeoutException)
        {
            return true;
        }
        finally
        {
            lock (_watchersLock)
            {
                // The task is gone: a host that runs container after container must not keep a watcher per id it ever ran.
                if (_watchers.TryGetValue(containerId, out TaskWatch? current) && ReferenceEquals(current.Done, watcher) && watcher.IsCompleted)
                {
                    _ = _watchers.Remove(containerId);
                }
            }
        }
    }

    private void ForgetWatcher(string containerId)
    {
        lock (_watchersLock)
        {
            _ = _watchers.Remove(containerId);
        }
    }

    /// <summary>How many tasks this service keeps a watcher for (for tests: a deleted task's goes with it).</summary>
    internal int WatchedTasks
    {
        get
        {
            lock (_watchersLock)
            {
                return _watchers.Count;
            }
        }
    }

    /// <summary>
    /// The exit of the task's init as this host's watcher of it got it (from the <c>oom</c> long-poll, which answers with
    /// the exit a <c>wait</c> would), or <see langword="null"/> when no watcher runs here or it ended without the exit
    /// (the task was deleted, the service is closing): then the caller asks the shim itself.
    /// </summary>
    private async ValueTask<ExitStatus?> WatchedExitAsync(string containerId, CancellationToken cancellationToken)
    {
        TaskCompletionSource<ExitStatus?>? exit;
        lock (_watchersLock)
        {
            exit = _watchers.TryGetValue(containerId, out TaskWatch? watch) ? watch.Exit : null;
        }

        return exit is null ? null : await exit.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }
}
