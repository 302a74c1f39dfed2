namespace Containers.Oci.Runtime;

/// <summary>The execution domains of <see cref="LinuxPersonality.Domain"/>.</summary>
public static class PersonalityDomain
{
    /// <summary>The native domain.</summary>
    public const string Linux = "LINUX";

    /// <summary>The 32-bit domain (uname reports a 32-bit machine).</summary>
    public const string Linux32 = "LINUX32";

    /// <summary>Every value this version knows, in declaration order.</summary>
    public static IReadOnlyList<string> All { get; } = [Linux, Linux32];

    // A HashSet, not a FrozenSet: a runcs process builds it once and looks up a few names; a FrozenSet's
    // analysis of its keys costs more than it saves there (measured in benchmarks/README.md).
    private static readonly HashSet<string> Known = new(All, StringComparer.Ordinal);

    /// <summary>Whether <paramref name="value"/> is one of <see cref="All"/> (ordinal, case-sensitive).</summary>
    /// <param name="value">The value to check.</param>
    /// <returns><see langword="true"/> when the value is known.</returns>
    public static bool IsKnown(string? value) => value is not null && Known.Contains(value);
}
