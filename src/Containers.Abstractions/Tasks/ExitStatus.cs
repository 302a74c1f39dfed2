namespace Containers.Tasks;

/// <summary>How and when a process ended.</summary>
/// <param name="ExitCode">
/// The exit code; for a process killed by a signal, 128 plus the signal number, as shells report it.
/// </param>
/// <param name="ExitedAt">When the process was reaped.</param>
public readonly record struct ExitStatus(int ExitCode, DateTimeOffset ExitedAt)
{
    /// <summary>The exit code reported when the real one cannot be known (containerd's UnknownExitStatus).</summary>
    public const int UnknownExitCode = 255;

    /// <summary>
    /// Why the status is not the process's own, or <see langword="null"/> when it is: set when the
    /// process's supervisor (its shim) died without recording an exit, so the task is reported failed
    /// with <see cref="UnknownExitCode"/> instead of leaving a waiter hanging.
    /// </summary>
    public string? Failure { get; init; }

    /// <summary>Whether <see cref="Failure"/> is set.</summary>
    public bool IsFailure => Failure is not null;
}
