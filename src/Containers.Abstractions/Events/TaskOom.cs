namespace Containers.Events;

/// <summary>Published when the OOM killer acts in a task's cgroup.</summary>
/// <param name="ContainerId">The task's container id.</param>
public sealed record TaskOom(string ContainerId) : ContainerEvent
{
    /// <inheritdoc/>
    public override string Topic => EventTopics.TaskOom;
}
