namespace Containers.Tasks;

/// <summary>A process of a task, as <see cref="ITaskService.PidsAsync"/> lists it.</summary>
/// <param name="Pid">The host pid.</param>
/// <param name="ExecId">The exec id when the process was started by <see cref="ITaskService.ExecAsync"/>, else <see langword="null"/>.</param>
public sealed record ProcessInfo(int Pid, string? ExecId);
