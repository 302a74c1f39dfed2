namespace Containers.Events;

/// <summary>Published when a task is frozen.</summary>
/// <param name="ContainerId">The task's container id.</param>
public sealed record TaskPaused(string ContainerId) : ContainerEvent
{
    /// <inheritdoc/>
    public override string Topic => EventTopics.TaskPaused;
}
