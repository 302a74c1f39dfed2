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
    /// claims an event before it publishes it by creating a marker (<c>O_EXCL</c>) under
    /// <c>State/events/&lt;namespace&gt;</c> — <c>&lt;id&gt;@exit-&lt;ticks&gt;</c> for an exit, <c>&lt;id&gt;/oom-…</c> for an OOM —
    /// so each exit and each OOM is published once across all hosts and restarts: a later reconnect, or a
    /// second host watching the same task, finds the marker and stays silent.
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
                if (ClaimEvent(containerId, OomEventMarker(containerId, pid, index)))
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

        if (ClaimEvent(containerId, ExitEventMarker(containerId, exit), exit))
        {
            await PublishAsync(new TaskExit(containerId, containerId, 0, exit.ExitCode, exit.ExitedAt)).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The marker of a published init exit (the shim's reap time names that one exit): a file of its own in the
    /// namespace's marker directory, <c>&lt;id&gt;@exit-&lt;ticks&gt;</c> (<c>@</c> is in no container id), not in a directory
    /// of the task's — every watched task has one, and a directory per task would cost a mkdir and an rmdir more
    /// per run; the task's delete removes it by name.
    /// </summary>
    private string ExitEventMarker(string containerId, ExitStatus exit)
        => Path.Combine(EventNamespaceDirectory, $"{containerId}{ExitMarkerSeparator}exit-{exit.ExitedAt.UtcTicks}");

    /// <summary>The marker of the published OOM number <paramref name="index"/> (0-based) of the init <paramref name="pid"/>, in the task's marker directory.</summary>
    private string OomEventMarker(string containerId, int pid, ulong index) => Path.Combine(EventMarkerDirectory(containerId), $"oom-{pid}-{index}");

    /// <summary>Between the container id and the rest of a marker's name in <see cref="EventNamespaceDirectory"/>.</summary>
    private const char ExitMarkerSeparator = '@';

    /// <summary>
    /// Where the markers of the namespace's published events are: in the state directory beside the shims, not in
    /// the shim's task directory (the shim deletes that one, and a marker created meanwhile would make its delete fail).
    /// </summary>
    private string EventNamespaceDirectory => Path.Combine(_options.StateDirectory, "events", _options.Namespace);

    /// <summary>A task's own marker directory, for its rarer markers: OOMs and the lost exits decided for a dead shim.</summary>
    private string EventMarkerDirectory(string containerId) => Path.Combine(EventNamespaceDirectory, containerId);

    /// <summary>The init's pid from the shim's task record (0 when unreadable), which names OOM markers.</summary>
    private int InitPid(string containerId)
        => ReadTaskRecord(ResolvedShimDirectory(containerId), containerId)?.Pid ?? 0;

    /// <summary>
    /// Claims the right to publish one event of a task: true for the one caller (of any host process)
    /// that creates the marker first (O_CREAT|O_EXCL). When the task is gone already (this host deleted it
    /// right after the exit, before this watcher ran), the event is published without a marker: losing it
    /// would be worse than the rare duplicate of two hosts watching one task that one of them deleted.
    /// </summary>
    private bool ClaimEvent(string containerId, string path, ExitStatus? status = null)
    {
        if (!Directory.Exists(ShimPaths.Task(ResolvedShimDirectory(containerId), containerId)))
        {
            return true;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
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
            // The task's delete removed its marker directory between the check above and the create: the task is gone,
            // which is the case published without a marker.
            return true;
        }
        catch (IOException) when (File.Exists(path))
        {
            return false;
        }
    }

    /// <summary>
    /// Removes the event markers of a deleted task (called after its delete; a later task of the same id has other
    /// markers anyway): its exit's marker by name (<paramref name="exit"/>, as the delete reported it: the same record
    /// the watcher claimed), and its marker directory if it has one.
    /// </summary>
    private void DeleteEventMarkers(string containerId, ExitStatus? exit)
    {
        try
        {
            if (exit is { } published)
            {
                File.Delete(ExitEventMarker(containerId, published));
            }

            // Most tasks have none: a stat, rather than a thrown and caught DirectoryNotFoundException on every delete.
            string directory = EventMarkerDirectory(containerId);
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not there (most tasks have no marker directory), or a watcher is adding one: the next reconnect removes what is left.
        }
    }

    /// <summary>Removes the markers of tasks that no longer exist (left when a host died between a delete and its cleanup).</summary>
    private void DeleteStaleEventMarkers(IReadOnlyList<TaskState> found)
    {
        string root = EventNamespaceDirectory;
        if (!Directory.Exists(root))
        {
            return;
        }

        HashSet<string> live = found.Select(t => t.ContainerId).ToHashSet(StringComparer.Ordinal);
        foreach (string entry in Directory.EnumerateFileSystemEntries(root))
        {
            string name = Path.GetFileName(entry);
            int separator = name.IndexOf(ExitMarkerSeparator, StringComparison.Ordinal);
            if (live.Contains(separator < 0 ? name : name[..separator]))
            {
                continue;
            }

            try
            {
                if (separator < 0)
                {
                    Directory.Delete(entry, recursive: true);
                }
                else
                {
                    File.Delete(entry);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Removed meanwhile, or being written: a later reconnect tries again.
            }
        }
    }
}
