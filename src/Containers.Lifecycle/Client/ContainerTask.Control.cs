using System.Text.Json;
using Containers.Lifecycle.Tasks;
using Containers.Oci.Runtime;
using Containers.Runtime;

namespace Containers.Client;

/// <summary>Resource control of a task: metrics, limit updates and OOM notification.</summary>
public sealed partial class ContainerTask
{
    /// <summary>Samples the container's cgroup: cpu time and throttling, memory use, limit and OOM kills, pids.</summary>
    /// <exception cref="FailedPreconditionException">The task is not running (its cgroup is gone), or its shim is gone.</exception>
    public async Task<ContainerStats> MetricsAsync(CancellationToken cancellationToken = default)
        => await Client.Tasks.MetricsAsync(ContainerId, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Changes the running container's resource limits, as <c>ctr tasks update</c> (runc <c>update</c>):
    /// the fields set in <paramref name="resources"/> (memory, cpu, pids, …) replace the current ones,
    /// the others stay. The container's stored spec is not changed (a new task starts with its limits),
    /// as containerd's task service <c>Update</c> changes only the running task; containerd's CRI plugin
    /// writes the new resources into the container's spec itself before it updates the task — do the same
    /// with <see cref="ContainerClient.Containers"/>' <c>UpdateAsync</c> (field path <c>spec</c>) to keep them.
    /// </summary>
    /// <param name="resources">The limits to set.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="InvalidSpecException">The runtime refused a value (the message names it).</exception>
    /// <exception cref="FailedPreconditionException">The task is not running, or its shim is gone.</exception>
    public async Task UpdateAsync(LinuxResources resources, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(resources);
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(resources, RuntimeSpecJsonContext.Default.LinuxResources);
        await Client.Tasks.UpdateAsync(ContainerId, json, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Waits until the kernel's OOM killer acts in the container's memory cgroup (<see langword="true"/>),
    /// or the init exits without that having happened (<see langword="false"/>). The shim counts OOMs from
    /// the task's creation, so one that happened before this call (or before this host process started)
    /// is seen. Each OOM is also published as a <see cref="Events.TaskOom"/> on <see cref="ContainerClient.Events"/>.
    /// </summary>
    /// <exception cref="UnsupportedException">The client's task service is not the shim task service.</exception>
    /// <exception cref="FailedPreconditionException">The task's shim is gone.</exception>
    public async Task<bool> WaitForOomAsync(CancellationToken cancellationToken = default)
        => Client.Tasks is ShimTaskService shims
            ? await shims.WaitForOomAsync(ContainerId, cancellationToken).ConfigureAwait(false)
            : throw new UnsupportedException($"OOM notification: {Client.Tasks.GetType().Name} has no OOM long-poll; subscribe to /tasks/oom events");
}
