using Containers.Events;
using Containers.Linux.Supervision;

namespace Containers.Lifecycle.Tasks;

/// <summary>OOM watchers: one long-poll per running task that publishes <see cref="TaskOom"/>.</summary>
public sealed partial class ShimTaskService
{
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
    /// Publishes a <see cref="TaskOom"/> for every OOM notification the task's shim counts (once per
    /// container per service). The shim answers the <c>oom</c> operation when its count passes the
    /// one given, or when the init has exited. A new host starts from zero, so it sees the OOMs of the
    /// time it was away as well; each is published by the one host that claims it first (see
    /// <see cref="ClaimEvent"/>), so none is published twice.
    /// </summary>
    private void WatchOom(string containerId)
    {
        if (_events is null)
        {
            return;
        }

        string key = containerId + "/oom"; // '/' is not in container ids: no clash with the exit watchers
        lock (_watchersLock)
        {
            if (_watchers.TryGetValue(key, out Task? running) && !running.IsCompleted)
            {
                return;
            }

            _watchers[key] = Task.Run(async () =>
            {
                try
                {
                    ShimClient client = new(RequireShimDirectory(containerId));
                    ulong seen = 0;
                    int pid = InitPid(containerId);
                    while (true)
                    {
                        ShimResponse response = await client.CallAsync(new ShimRequest { Op = ShimOps.Oom, Id = containerId, After = seen }, _closing.Token).ConfigureAwait(false);
                        for (; seen < response.OomCount; seen++)
                        {
                            if (ClaimEvent(containerId, OomEventMarker(pid, seen)))
                            {
                                await PublishAsync(new TaskOom(containerId)).ConfigureAwait(false);
                            }
                        }

                        if (response.Exit is not null)
                        {
                            return;
                        }
                    }
                }
                catch (OperationCanceledException)
                {
                    // The service is closing.
                }
                catch (ContainersException)
                {
                    // Deleted meanwhile, or the shim is gone (its exit watcher reports that).
                }
            });
        }
    }
}
