namespace Containers.Linux.Runtime;

/// <summary>One rlimit for the container's process.</summary>
/// <param name="Resource">The RLIMIT_* number (7 = RLIMIT_NOFILE).</param>
/// <param name="Soft">Soft limit.</param>
/// <param name="Hard">Hard limit.</param>
public readonly record struct ResourceLimit(int Resource, ulong Soft, ulong Hard);
