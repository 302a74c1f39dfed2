namespace Containers.Oci.Runtime;

/// <summary>The flags of <see cref="LinuxScheduler.Flags"/> (sched_setattr(2)).</summary>
public static class SchedulerFlag
{
    /// <summary>Children do not inherit the policy.</summary>
    public const string ResetOnFork = "SCHED_FLAG_RESET_ON_FORK";

    /// <summary>Deadline tasks may reclaim unused bandwidth.</summary>
    public const string Reclaim = "SCHED_FLAG_RECLAIM";

    /// <summary>Signal deadline overruns.</summary>
    public const string DeadlineOverrun = "SCHED_FLAG_DL_OVERRUN";

    /// <summary>Keep the current policy.</summary>
    public const string KeepPolicy = "SCHED_FLAG_KEEP_POLICY";

    /// <summary>Keep the current parameters.</summary>
    public const string KeepParams = "SCHED_FLAG_KEEP_PARAMS";

    /// <summary>Set the minimum utilization clamp.</summary>
    public const string UtilClampMin = "SCHED_FLAG_UTIL_CLAMP_MIN";

    /// <summary>Set the maximum utilization clamp.</summary>
    public const string UtilClampMax = "SCHED_FLAG_UTIL_CLAMP_MAX";

    /// <summary>Every value this version knows, in declaration order.</summary>
    public static IReadOnlyList<string> All { get; } = [ResetOnFork, Reclaim, DeadlineOverrun, KeepPolicy, KeepParams, UtilClampMin, UtilClampMax];

    // A HashSet, not a FrozenSet: a runcs process builds it once and looks up a few names; a FrozenSet's
    // analysis of its keys costs more than it saves there (measured in benchmarks/README.md).
    private static readonly HashSet<string> Known = new(All, StringComparer.Ordinal);

    /// <summary>Whether <paramref name="value"/> is one of <see cref="All"/> (ordinal, case-sensitive).</summary>
    /// <param name="value">The value to check.</param>
    /// <returns><see langword="true"/> when the value is known.</returns>
    public static bool IsKnown(string? value) => value is not null && Known.Contains(value);
}
