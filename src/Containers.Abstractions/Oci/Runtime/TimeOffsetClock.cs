namespace Containers.Oci.Runtime;

/// <summary>The clocks a time namespace can offset, the keys of <see cref="Linux.TimeOffsets"/>.</summary>
public static class TimeOffsetClock
{
    /// <summary>CLOCK_MONOTONIC.</summary>
    public const string Monotonic = "monotonic";

    /// <summary>CLOCK_BOOTTIME.</summary>
    public const string Boottime = "boottime";

    /// <summary>Every value this version knows, in declaration order.</summary>
    public static IReadOnlyList<string> All { get; } = [Monotonic, Boottime];

    // A HashSet, not a FrozenSet: a runcs process builds it once and looks up a few names; a FrozenSet's
    // analysis of its keys costs more than it saves there (measured in benchmarks/README.md).
    private static readonly HashSet<string> Known = new(All, StringComparer.Ordinal);

    /// <summary>Whether <paramref name="value"/> is one of <see cref="All"/> (ordinal, case-sensitive).</summary>
    /// <param name="value">The value to check.</param>
    /// <returns><see langword="true"/> when the value is known.</returns>
    public static bool IsKnown(string? value) => value is not null && Known.Contains(value);
}
