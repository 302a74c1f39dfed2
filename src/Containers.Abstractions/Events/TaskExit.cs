namespace Containers.Events;

/// <summary>Published when a process of a task exits.</summary>
/// <param name="ContainerId">The task's container id.</param>
/// <param name="Id">The process that exited: the container id for init, else the exec id.</param>
/// <param name="Pid">Its host pid.</param>
/// <param name="ExitCode">Its exit code (128 plus the signal number when killed by a signal).</param>
/// <param name="ExitedAt">When it was reaped.</param>
public sealed record TaskExit(string ContainerId, string Id, int Pid, int ExitCode, DateTimeOffset ExitedAt) : ContainerEvent
{
    /// <inheritdoc/>
    public override string Topic => EventTopics.TaskExit;
}
