namespace Containers.Oci.Runtime;

/// <summary>The node types of <see cref="LinuxDevice.Type"/>.</summary>
public static class LinuxDeviceType
{
    /// <summary>A character device.</summary>
    public const string Char = "c";

    /// <summary>A block device.</summary>
    public const string Block = "b";

    /// <summary>An unbuffered character device.</summary>
    public const string Unbuffered = "u";

    /// <summary>A FIFO.</summary>
    public const string Fifo = "p";

    /// <summary>Every value this version knows, in declaration order.</summary>
    public static IReadOnlyList<string> All { get; } = [Char, Block, Unbuffered, Fifo];

    // A HashSet, not a FrozenSet: a runcs process builds it once and looks up a few names; a FrozenSet's
    // analysis of its keys costs more than it saves there (measured in benchmarks/README.md).
    private static readonly HashSet<string> Known = new(All, StringComparer.Ordinal);

    /// <summary>Whether <paramref name="value"/> is one of <see cref="All"/> (ordinal, case-sensitive).</summary>
    /// <param name="value">The value to check.</param>
    /// <returns><see langword="true"/> when the value is known.</returns>
    public static bool IsKnown(string? value) => value is not null && Known.Contains(value);
}
