namespace Containers.Events;

/// <summary>Published when an exec'd process starts.</summary>
/// <param name="ContainerId">The task's container id.</param>
/// <param name="ExecId">The process's exec id.</param>
/// <param name="Pid">Its host pid.</param>
public sealed record TaskExecStarted(string ContainerId, string ExecId, int Pid) : ContainerEvent
{
    /// <inheritdoc/>
    public override string Topic => EventTopics.TaskExecStarted;
}
