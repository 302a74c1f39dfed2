namespace Containers.Oci.Runtime;

/// <summary>The I/O scheduling classes of <see cref="LinuxIOPriority.Class"/>.</summary>
public static class IOPriorityClass
{
    /// <summary>Real-time.</summary>
    public const string RealTime = "IOPRIO_CLASS_RT";

    /// <summary>Best effort.</summary>
    public const string BestEffort = "IOPRIO_CLASS_BE";

    /// <summary>Only when the disk is idle.</summary>
    public const string Idle = "IOPRIO_CLASS_IDLE";

    /// <summary>Every value this version knows, in declaration order.</summary>
    public static IReadOnlyList<string> All { get; } = [RealTime, BestEffort, Idle];

    // A HashSet, not a FrozenSet: a runcs process builds it once and looks up a few names; a FrozenSet's
    // analysis of its keys costs more than it saves there (measured in benchmarks/README.md).
    private static readonly HashSet<string> Known = new(All, StringComparer.Ordinal);

    /// <summary>Whether <paramref name="value"/> is one of <see cref="All"/> (ordinal, case-sensitive).</summary>
    /// <param name="value">The value to check.</param>
    /// <returns><see langword="true"/> when the value is known.</returns>
    public static bool IsKnown(string? value) => value is not null && Known.Contains(value);
}
