using System.Collections.Frozen;

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

    private static readonly FrozenSet<string> Known = FrozenSet.Create(StringComparer.Ordinal, All.ToArray());

    /// <summary>Whether <paramref name="value"/> is one of <see cref="All"/> (ordinal, case-sensitive).</summary>
    /// <param name="value">The value to check.</param>
    /// <returns><see langword="true"/> when the value is known.</returns>
    public static bool IsKnown(string? value) => value is not null && Known.Contains(value);
}
