namespace Containers.Events;

/// <summary>Published when a process is added to a task.</summary>
/// <param name="ContainerId">The task's container id.</param>
/// <param name="ExecId">The new process's exec id.</param>
public sealed record TaskExecAdded(string ContainerId, string ExecId) : ContainerEvent
{
    /// <inheritdoc/>
    public override string Topic => EventTopics.TaskExecAdded;
}
