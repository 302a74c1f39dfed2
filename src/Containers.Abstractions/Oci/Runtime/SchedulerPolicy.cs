namespace Containers.Oci.Runtime;

/// <summary>The scheduling policies of <see cref="LinuxScheduler.Policy"/>.</summary>
public static class SchedulerPolicy
{
    /// <summary>The default time-sharing policy.</summary>
    public const string Other = "SCHED_OTHER";

    /// <summary>Real-time first in, first out.</summary>
    public const string Fifo = "SCHED_FIFO";

    /// <summary>Real-time round robin.</summary>
    public const string RoundRobin = "SCHED_RR";

    /// <summary>Batch processes.</summary>
    public const string Batch = "SCHED_BATCH";

    /// <summary>Reserved, not implemented by Linux.</summary>
    public const string Iso = "SCHED_ISO";

    /// <summary>Very low priority background jobs.</summary>
    public const string Idle = "SCHED_IDLE";

    /// <summary>Earliest deadline first.</summary>
    public const string Deadline = "SCHED_DEADLINE";

    /// <summary>Every value this version knows, in declaration order.</summary>
    public static IReadOnlyList<string> All { get; } = [Other, Fifo, RoundRobin, Batch, Iso, Idle, Deadline];

    // A HashSet, not a FrozenSet: a runcs process builds it once and looks up a few names; a FrozenSet's
    // analysis of its keys costs more than it saves there (measured in benchmarks/README.md).
    private static readonly HashSet<string> Known = new(All, StringComparer.Ordinal);

    /// <summary>Whether <paramref name="value"/> is one of <see cref="All"/> (ordinal, case-sensitive).</summary>
    /// <param name="value">The value to check.</param>
    /// <returns><see langword="true"/> when the value is known.</returns>
    public static bool IsKnown(string? value) => value is not null && Known.Contains(value);
}
