namespace Containers.Oci.Runtime;

/// <summary>The propagation types of <see cref="Linux.RootfsPropagation"/>.</summary>
/// <remarks>The runtime-spec lists the first four; runc and crun also accept the recursive forms.</remarks>
public static class RootfsPropagation
{
    /// <summary>Shared.</summary>
    public const string Shared = "shared";

    /// <summary>Slave.</summary>
    public const string Slave = "slave";

    /// <summary>Private.</summary>
    public const string Private = "private";

    /// <summary>Unbindable.</summary>
    public const string Unbindable = "unbindable";

    /// <summary>Shared, recursively (accepted by runc and crun).</summary>
    public const string RecursiveShared = "rshared";

    /// <summary>Slave, recursively (accepted by runc and crun).</summary>
    public const string RecursiveSlave = "rslave";

    /// <summary>Private, recursively (accepted by runc and crun).</summary>
    public const string RecursivePrivate = "rprivate";

    /// <summary>Unbindable, recursively (accepted by runc and crun).</summary>
    public const string RecursiveUnbindable = "runbindable";

    /// <summary>Every value this version knows, in declaration order.</summary>
    public static IReadOnlyList<string> All { get; } = [Shared, Slave, Private, Unbindable, RecursiveShared, RecursiveSlave, RecursivePrivate, RecursiveUnbindable];

    // A HashSet, not a FrozenSet: a runcs process builds it once and looks up a few names; a FrozenSet's
    // analysis of its keys costs more than it saves there (measured in benchmarks/README.md).
    private static readonly HashSet<string> Known = new(All, StringComparer.Ordinal);

    /// <summary>Whether <paramref name="value"/> is one of <see cref="All"/> (ordinal, case-sensitive).</summary>
    /// <param name="value">The value to check.</param>
    /// <returns><see langword="true"/> when the value is known.</returns>
    public static bool IsKnown(string? value) => value is not null && Known.Contains(value);
}
