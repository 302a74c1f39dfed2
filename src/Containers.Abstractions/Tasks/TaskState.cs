namespace Containers.Tasks;

/// <summary>The state of a task's init process or of one exec'd process.</summary>
/// <param name="ContainerId">The task's container id.</param>
/// <param name="Status">The lifecycle state.</param>
public sealed record TaskState(string ContainerId, ProcessStatus Status)
{
    /// <summary>The exec id, or <see langword="null"/> for the init process.</summary>
    public string? ExecId { get; init; }

    /// <summary>The bundle directory.</summary>
    public string Bundle { get; init; } = string.Empty;

    /// <summary>The host pid, or 0 before the process exists.</summary>
    public int Pid { get; init; }

    /// <summary>Where the process's streams go.</summary>
    public TaskIO IO { get; init; } = TaskIO.None;

    /// <summary>How the process ended, when <see cref="Status"/> is <see cref="ProcessStatus.Stopped"/>.</summary>
    public ExitStatus? Exit { get; init; }
}
