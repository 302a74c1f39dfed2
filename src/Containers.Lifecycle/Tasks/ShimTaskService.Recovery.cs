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
                    await PublishAsync(new TaskExit(containerId, containerId, 0, status.ExitCode, status.ExitedAt)).ConfigureAwait(false);
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
}
