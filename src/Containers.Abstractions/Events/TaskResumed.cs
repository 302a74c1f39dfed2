namespace Containers.Events;

/// <summary>Published when a task is thawed.</summary>
/// <param name="ContainerId">The task's container id.</param>
public sealed record TaskResumed(string ContainerId) : ContainerEvent
{
    /// <inheritdoc/>
    public override string Topic => EventTopics.TaskResumed;
}
