namespace Containers.Oci.Runtime;

/// <summary>The flags passed to seccomp(2) when the filter is loaded.</summary>
public static class SeccompFilterFlag
{
    /// <summary>Synchronize all threads to the filter.</summary>
    public const string Tsync = "SECCOMP_FILTER_FLAG_TSYNC";

    /// <summary>Log all actions but SCMP_ACT_ALLOW.</summary>
    public const string Log = "SECCOMP_FILTER_FLAG_LOG";

    /// <summary>Do not enable speculative store bypass mitigation.</summary>
    public const string SpecAllow = "SECCOMP_FILTER_FLAG_SPEC_ALLOW";

    /// <summary>Make a notified task wait killably.</summary>
    public const string WaitKillableRecv = "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV";

    /// <summary>Every value this version knows, in declaration order.</summary>
    public static IReadOnlyList<string> All { get; } = [Tsync, Log, SpecAllow, WaitKillableRecv];

    // A HashSet, not a FrozenSet: a runcs process builds it once and looks up a few names; a FrozenSet's
    // analysis of its keys costs more than it saves there (measured in benchmarks/README.md).
    private static readonly HashSet<string> Known = new(All, StringComparer.Ordinal);

    /// <summary>Whether <paramref name="value"/> is one of <see cref="All"/> (ordinal, case-sensitive).</summary>
    /// <param name="value">The value to check.</param>
    /// <returns><see langword="true"/> when the value is known.</returns>
    public static bool IsKnown(string? value) => value is not null && Known.Contains(value);
}
