namespace Containers.Linux.Supervision;

/// <summary>One process of a task in a pids answer.</summary>
internal sealed class ShimPid
{
    /// <summary>The host pid.</summary>
    public int Pid { get; set; }

    /// <summary>The exec id of an exec'd process, else <see langword="null"/>.</summary>
    public string? ExecId { get; set; }
}
