namespace Containers.Tasks;

/// <summary>How and when a process ended.</summary>
/// <param name="ExitCode">
/// The exit code; for a process killed by a signal, 128 plus the signal number, as shells report it.
/// </param>
/// <param name="ExitedAt">When the process was reaped.</param>
public readonly record struct ExitStatus(int ExitCode, DateTimeOffset ExitedAt);
