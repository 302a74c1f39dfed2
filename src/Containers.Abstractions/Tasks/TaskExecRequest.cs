namespace Containers.Tasks;

/// <summary>What <see cref="ITaskService.ExecAsync"/> needs to add a process to a running task.</summary>
/// <param name="ContainerId">The task's container id.</param>
/// <param name="ExecId">The id of the new process, unique within the task.</param>
/// <param name="ProcessJson">A runtime-spec <c>process</c> object as UTF-8 JSON.</param>
public sealed record TaskExecRequest(string ContainerId, string ExecId, ReadOnlyMemory<byte> ProcessJson)
{
    /// <summary>Where the process's streams go.</summary>
    public TaskIO IO { get; init; } = TaskIO.None;
}
