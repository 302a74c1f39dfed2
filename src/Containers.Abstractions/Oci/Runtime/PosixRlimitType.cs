namespace Containers.Oci.Runtime;

/// <summary>The resource names of <see cref="PosixRlimit.Type"/> (getrlimit(2)).</summary>
public static class PosixRlimitType
{
    /// <summary>RLIMIT_AS.</summary>
    public const string As = "RLIMIT_AS";

    /// <summary>RLIMIT_CORE.</summary>
    public const string Core = "RLIMIT_CORE";

    /// <summary>RLIMIT_CPU.</summary>
    public const string Cpu = "RLIMIT_CPU";

    /// <summary>RLIMIT_DATA.</summary>
    public const string Data = "RLIMIT_DATA";

    /// <summary>RLIMIT_FSIZE.</summary>
    public const string Fsize = "RLIMIT_FSIZE";

    /// <summary>RLIMIT_LOCKS.</summary>
    public const string Locks = "RLIMIT_LOCKS";

    /// <summary>RLIMIT_MEMLOCK.</summary>
    public const string Memlock = "RLIMIT_MEMLOCK";

    /// <summary>RLIMIT_MSGQUEUE.</summary>
    public const string Msgqueue = "RLIMIT_MSGQUEUE";

    /// <summary>RLIMIT_NICE.</summary>
    public const string Nice = "RLIMIT_NICE";

    /// <summary>RLIMIT_NOFILE.</summary>
    public const string Nofile = "RLIMIT_NOFILE";

    /// <summary>RLIMIT_NPROC.</summary>
    public const string Nproc = "RLIMIT_NPROC";

    /// <summary>RLIMIT_RSS.</summary>
    public const string Rss = "RLIMIT_RSS";

    /// <summary>RLIMIT_RTPRIO.</summary>
    public const string Rtprio = "RLIMIT_RTPRIO";

    /// <summary>RLIMIT_RTTIME.</summary>
    public const string Rttime = "RLIMIT_RTTIME";

    /// <summary>RLIMIT_SIGPENDING.</summary>
    public const string Sigpending = "RLIMIT_SIGPENDING";

    /// <summary>RLIMIT_STACK.</summary>
    public const string Stack = "RLIMIT_STACK";

    /// <summary>Every value this version knows, in declaration order.</summary>
    public static IReadOnlyList<string> All { get; } = [As, Core, Cpu, Data, Fsize, Locks, Memlock, Msgqueue, Nice, Nofile, Nproc, Rss, Rtprio, Rttime, Sigpending, Stack];

    // A HashSet, not a FrozenSet: a runcs process builds it once and looks up a few names; a FrozenSet's
    // analysis of its keys costs more than it saves there (measured in benchmarks/README.md).
    private static readonly HashSet<string> Known = new(All, StringComparer.Ordinal);

    /// <summary>Whether <paramref name="value"/> is one of <see cref="All"/> (ordinal, case-sensitive).</summary>
    /// <param name="value">The value to check.</param>
    /// <returns><see langword="true"/> when the value is known.</returns>
    public static bool IsKnown(string? value) => value is not null && Known.Contains(value);
}
