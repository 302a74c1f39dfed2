namespace Containers.Events;

/// <summary>Published when a task is checkpointed.</summary>
/// <param name="ContainerId">The task's container id.</param>
/// <param name="Checkpoint">Where the checkpoint was written.</param>
public sealed record TaskCheckpointed(string ContainerId, string Checkpoint) : ContainerEvent
{
    /// <inheritdoc/>
    public override string Topic => EventTopics.TaskCheckpointed;
}
