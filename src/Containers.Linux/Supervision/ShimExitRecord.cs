namespace Containers.Linux.Supervision;

/// <summary>How a process ended, as the shim reports it and keeps it in the task's exit file.</summary>
internal sealed class ShimExitRecord
{
    /// <summary>The host pid that exited.</summary>
    public int Pid { get; set; }

    /// <summary>The exit code, 128 + signal when killed by a signal.</summary>
    public int ExitCode { get; set; }

    /// <summary>When the shim reaped the process.</summary>
    public DateTimeOffset ExitedAt { get; set; }
}
