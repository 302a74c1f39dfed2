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
    /// claims an event before it publishes it by creating a marker under <c>State/events/&lt;namespace&gt;/&lt;id&gt;</c>
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
                    WatchTask(record.Id);
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

        DeleteStaleEventMarkers(found);
        return found;
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
            int pid = InitPid(containerId);
            for (ulong index = 0; index < response.OomCount; index++)
            {
                if (ClaimEvent(containerId, OomEventMarker(pid, index)))
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

        if (ClaimEvent(containerId, ExitEventMarker(exit), exit))
        {
            await PublishAsync(new TaskExit(containerId, containerId, 0, exit.ExitCode, exit.ExitedAt)).ConfigureAwait(false);
        }
    }

    /// <summary>The marker of a published init exit: the shim's reap time names that one exit.</summary>
    private static string ExitEventMarker(ExitStatus exit) => $"exit-{exit.ExitedAt.UtcTicks}";

    /// <summary>The marker of the published OOM number <paramref name="index"/> (0-based) of the init <paramref name="pid"/>.</summary>
    private static string OomEventMarker(int pid, ulong index) => $"oom-{pid}-{index}";

    /// <summary>
    /// Where the markers of a task's published events are: in the state directory beside the shims, not in
    /// the shim's task directory (the shim deletes that one recursively, and a marker created meanwhile
    /// would make its delete fail).
    /// </summary>
    private string EventMarkerDirectory(string containerId) => Path.Combine(_options.StateDirectory, "events", _options.Namespace, containerId);

    /// <summary>The init's pid from the shim's task record (0 when unreadable), which names OOM markers.</summary>
    private int InitPid(string containerId)
        => ShimFiles.TryRead(ShimPaths.TaskRecord(ShimPaths.Task(ResolvedShimDirectory(containerId), containerId)), ShimJsonContext.Default.ShimTaskRecord)?.Pid ?? 0;

    /// <summary>
    /// Claims the right to publish one event of a task: true for the one caller (of any host process)
    /// that creates the marker first (O_CREAT|O_EXCL). When the task is gone already (this host deleted it
    /// right after the exit, before this watcher ran), the event is published without a marker: losing it
    /// would be worse than the rare duplicate of two hosts watching one task that one of them deleted.
    /// </summary>
    private bool ClaimEvent(string containerId, string marker, ExitStatus? status = null)
    {
        if (!Directory.Exists(ShimPaths.Task(ResolvedShimDirectory(containerId), containerId)))
        {
            return true;
        }

        string directory = EventMarkerDirectory(containerId);
        Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        string path = Path.Combine(directory, marker);
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
                // For whoever reads the state directory: what was published.
                file.Write(System.Text.Encoding.UTF8.GetBytes($"{exit.ExitCode} {exit.ExitedAt:O}\n"));
            }

            return true;
        }
        catch (DirectoryNotFoundException)
        {
            // The task's delete removed the marker directory between the check above and the create: the task is gone,
            // which is the case published without a marker.
            return true;
        }
        catch (IOException) when (File.Exists(path))
        {
            return false;
        }
    }

    /// <summary>Removes the event markers of a deleted task (called after its delete; a later task of the same id has other markers anyway).</summary>
    private void DeleteEventMarkers(string containerId)
    {
        try
        {
            Directory.Delete(EventMarkerDirectory(containerId), recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not there, or a watcher is adding one: the next reconnect removes what is left.
        }
    }

    /// <summary>Removes the markers of tasks that no longer exist (left when a host died between a delete and its cleanup).</summary>
    private void DeleteStaleEventMarkers(IReadOnlyList<TaskState> found)
    {
        string root = Path.Combine(_options.StateDirectory, "events", _options.Namespace);
        if (!Directory.Exists(root))
        {
            return;
        }

        HashSet<string> live = found.Select(t => t.ContainerId).ToHashSet(StringComparer.Ordinal);
        foreach (string directory in Directory.EnumerateDirectories(root))
        {
            if (!live.Contains(Path.GetFileName(directory)))
            {
                DeleteEventMarkers(Path.GetFileName(directory));
            }
        }
    }
}
