using Containers.Events;
using Containers.Linux.Supervision;
using Containers.Tasks;

namespace Containers.Lifecycle.Tasks;

/// <summary>Recovery after a host restart, and the exit watchers that publish task exits.</summary>
public sealed partial class ShimTaskService
{
    /// <summary>
    /// Finds every shim of this namespace in the state directory (shared shims included: each of their
    /// tasks is reached through its link) and reconnects: running tasks are
    /// watched again (their exits published), tasks of shims that died report the exit they recorded
    /// or a failure. Returns the state of every task found.
    /// </summary>
    /// <remarks>
    /// A task that exited (or hit an OOM) while no host was watching gets its <see cref="TaskExit"/> (code
    /// and time from the shim's exit record) and its <see cref="TaskOom"/>s published now. Every host
    /// claims an event before it publishes it by creating a marker beside the task's exit record
    /// (<c>O_EXCL</c>), so each exit and each OOM is published once across all hosts and restarts: a
    /// later reconnect, or a second host watching the same task, finds the marker and stays silent.
    /// </remarks>
    /// <param name="cancellationToken">Cancels the scan.</param>
    public async ValueTask<IReadOnlyList<TaskState>> ReconnectAsync(CancellationToken cancellationToken = default)
    {
        string shims = Path.Combine(_options.StateDirectory, "shims");
        List<TaskState> found = [];
        if (!Directory.Exists(shims))
        {
            return found;
        }

        foreach (string directory in Directory.EnumerateDirectories(shims))
        {
            if (LinkedGroupDirectory(directory) is not null)
            {
                continue; // a grouped task's link: its task is found in the group's directory
            }

            string tasks = ShimPaths.Tasks(directory);
            if (!Directory.Exists(tasks))
            {
                continue;
            }

            foreach (string taskDirectory in Directory.EnumerateDirectories(tasks))
            {
                ShimTaskRecord? record = ShimFiles.TryRead(ShimPaths.TaskRecord(taskDirectory), ShimJsonContext.Default.ShimTaskRecord);
                if (record is null || record.Namespace != _options.Namespace || ResolvedShimDirectory(record.Id) != directory)
                {
                    continue;
                }

                TaskState state = await StateAsync(record.Id, null, cancellationToken).ConfigureAwait(false);
                if (state.Status is ProcessStatus.Running or ProcessStatus.Paused)
                {
                    WatchExit(record.Id);
                    WatchOom(record.Id);
                }
                else if (state.Status == ProcessStatus.Stopped && state.Exit is { } exit)
                {
                    // Ended while no host watched: publish now what nobody published yet, before returning,
                    // so a host that reconnects has the events on its bus once this call is done.
                    await PublishMissedEventsAsync(record.Id, exit, cancellationToken).ConfigureAwait(false);
                }

                found.Add(state);
            }
        }

        return found;
    }

    /// <summary>Publishes the init's exit when it comes (once per container per service).</summary>
    private void WatchExit(string containerId)
    {
        if (_events is null)
        {
            return;
        }

        lock (_watchersLock)
        {
            if (_watchers.TryGetValue(containerId, out Task? running) && !running.IsCompleted)
            {
                return;
            }

            _watchers[containerId] = Task.Run(async () =>
            {
                try
                {
                    ExitStatus status = await WaitAsync(containerId, null, _closing.Token).ConfigureAwait(false);
                    if (ClaimEvent(containerId, ExitEventMarker, status))
                    {
                        await PublishAsync(new TaskExit(containerId, containerId, 0, status.ExitCode, status.ExitedAt)).ConfigureAwait(false);
                    }
                }
                catch (OperationCanceledException)
                {
                    // The service is closing; the shim keeps the exit for the next one.
                }
                catch (ContainersException)
                {
                    // Deleted meanwhile.
                }
            });
        }
    }

    /// <summary>The OOMs (as the shim counted them) and the exit of a stopped task that no host has published.</summary>
    private async ValueTask PublishMissedEventsAsync(string containerId, ExitStatus exit, CancellationToken cancellationToken)
    {
        if (_events is null)
        {
            return;
        }

        try
        {
            // The shim answers at once for an init that has exited; a dead shim has no count to give.
            ShimResponse response = await new ShimClient(RequireShimDirectory(containerId))
                .CallAsync(new ShimRequest { Op = ShimOps.Oom, Id = containerId, After = 0 }, cancellationToken).ConfigureAwait(false);
            for (ulong index = 0; index < response.OomCount; index++)
            {
                if (ClaimEvent(containerId, OomEventMarker(index)))
                {
                    await PublishAsync(new TaskOom(containerId)).ConfigureAwait(false);
                }
            }
        }
        catch (NotFoundException)
        {
            return; // deleted meanwhile, by another host: its events are that host's
        }
        catch (ShimException ex) when (ex.Reason == ShimFailure.Unavailable)
        {
            // Its shim is gone: the exit below carries the failure.
        }

        if (ClaimEvent(containerId, ExitEventMarker, exit))
        {
            await PublishAsync(new TaskExit(containerId, containerId, 0, exit.ExitCode, exit.ExitedAt)).ConfigureAwait(false);
        }
    }

    /// <summary>The marker of a published init exit, in the task's directory.</summary>
    private const string ExitEventMarker = "exit.published";

    /// <summary>The marker of the published OOM number <paramref name="index"/> (0-based), in the task's directory.</summary>
    private static string OomEventMarker(ulong index) => $"oom-{index}.published";

    /// <summary>
    /// Claims the right to publish one event of a task: true for the one caller (of any host process)
    /// that creates the marker first. The marker lives in the task's directory, so it goes with the
    /// task's delete. When that directory is gone already (this host deleted the task right after the
    /// exit, before this watcher ran), the event is published: losing it would be worse than the rare
    /// duplicate of two hosts watching one task that one of them deleted.
    /// </summary>
    private bool ClaimEvent(string containerId, string marker, ExitStatus? status = null)
    {
        string path = Path.Combine(ShimPaths.Task(ResolvedShimDirectory(containerId), containerId), marker);
        try
        {
            using var file = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            });
            if (status is { } exit)
            {
                // For whoever reads the state directory: what was published, and when it happened.
                file.Write(System.Text.Encoding.UTF8.GetBytes($"{exit.ExitCode} {exit.ExitedAt:O}\n"));
            }

            return true;
        }
        catch (DirectoryNotFoundException)
        {
            return true;
        }
        catch (IOException) when (File.Exists(path))
        {
            return false;
        }
    }
}
