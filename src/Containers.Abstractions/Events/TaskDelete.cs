namespace Containers.Events;

/// <summary>Published when a task, or an exec'd process, is deleted.</summary>
/// <param name="ContainerId">The task's container id.</param>
/// <param name="Pid">The host pid the process had.</param>
/// <param name="ExitCode">Its exit code.</param>
/// <param name="ExitedAt">When it exited.</param>
/// <param name="Id">The exec id, or null for the whole task.</param>
public sealed record TaskDelete(string ContainerId, int Pid, int ExitCode, DateTimeOffset ExitedAt, string? Id) : ContainerEvent
{
    /// <inheritdoc/>
    public override string Topic => EventTopics.TaskDelete;
}
