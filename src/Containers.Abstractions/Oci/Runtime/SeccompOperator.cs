namespace Containers.Oci.Runtime;

/// <summary>The comparison operators of a seccomp argument condition.</summary>
public static class SeccompOperator
{
    /// <summary>Not equal.</summary>
    public const string NotEqual = "SCMP_CMP_NE";

    /// <summary>Less than.</summary>
    public const string LessThan = "SCMP_CMP_LT";

    /// <summary>Less than or equal.</summary>
    public const string LessOrEqual = "SCMP_CMP_LE";

    /// <summary>Equal.</summary>
    public const string Equal = "SCMP_CMP_EQ";

    /// <summary>Greater than or equal.</summary>
    public const string GreaterOrEqual = "SCMP_CMP_GE";

    /// <summary>Greater than.</summary>
    public const string GreaterThan = "SCMP_CMP_GT";

    /// <summary>(argument &amp; value) == valueTwo.</summary>
    public const string MaskedEqual = "SCMP_CMP_MASKED_EQ";

    /// <summary>Every value this version knows, in declaration order.</summary>
    public static IReadOnlyList<string> All { get; } = [NotEqual, LessThan, LessOrEqual, Equal, GreaterOrEqual, GreaterThan, MaskedEqual];

    // A HashSet, not a FrozenSet: a runcs process builds it once and looks up a few names; a FrozenSet's
    // analysis of its keys costs more than it saves there (measured in benchmarks/README.md).
    private static readonly HashSet<string> Known = new(All, StringComparer.Ordinal);

    /// <summary>Whether <paramref name="value"/> is one of <see cref="All"/> (ordinal, case-sensitive).</summary>
    /// <param name="value">The value to check.</param>
    /// <returns><see langword="true"/> when the value is known.</returns>
    public static bool IsKnown(string? value) => value is not null && Known.Contains(value);
}
