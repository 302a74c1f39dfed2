using Containers.Tasks;

namespace Containers.Events;

/// <summary>Published when a task is created; its init process waits to be started.</summary>
/// <param name="ContainerId">The task's container id.</param>
/// <param name="Bundle">The bundle directory.</param>
/// <param name="Rootfs">The mounts of the root filesystem.</param>
/// <param name="IO">Where the init process's streams go.</param>
/// <param name="Checkpoint">The checkpoint restored from, or <see langword="null"/>.</param>
/// <param name="Pid">The host pid of the init process.</param>
public sealed record TaskCreate(string ContainerId, string Bundle, IReadOnlyList<Mount> Rootfs, TaskIO IO, string? Checkpoint, int Pid) : ContainerEvent
{
    /// <inheritdoc/>
    public override string Topic => EventTopics.TaskCreate;
}
