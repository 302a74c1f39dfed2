namespace Containers.Events;

/// <summary>Published when a task's init process starts.</summary>
/// <param name="ContainerId">The task's container id.</param>
/// <param name="Pid">The host pid of the init process.</param>
public sealed record TaskStart(string ContainerId, int Pid) : ContainerEvent
{
    /// <inheritdoc/>
    public override string Topic => EventTopics.TaskStart;
}
