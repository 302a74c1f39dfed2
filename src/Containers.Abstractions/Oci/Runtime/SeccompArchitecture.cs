namespace Containers.Oci.Runtime;

/// <summary>The architecture names of a seccomp filter (libseccomp's SCMP_ARCH_*).</summary>
public static class SeccompArchitecture
{
    /// <summary>SCMP_ARCH_X86.</summary>
    public const string X86 = "SCMP_ARCH_X86";

    /// <summary>SCMP_ARCH_X86_64.</summary>
    public const string X8664 = "SCMP_ARCH_X86_64";

    /// <summary>SCMP_ARCH_X32.</summary>
    public const string X32 = "SCMP_ARCH_X32";

    /// <summary>SCMP_ARCH_ARM.</summary>
    public const string Arm = "SCMP_ARCH_ARM";

    /// <summary>SCMP_ARCH_AARCH64.</summary>
    public const string Aarch64 = "SCMP_ARCH_AARCH64";

    /// <summary>SCMP_ARCH_MIPS.</summary>
    public const string Mips = "SCMP_ARCH_MIPS";

    /// <summary>SCMP_ARCH_MIPS64.</summary>
    public const string Mips64 = "SCMP_ARCH_MIPS64";

    /// <summary>SCMP_ARCH_MIPS64N32.</summary>
    public const string Mips64n32 = "SCMP_ARCH_MIPS64N32";

    /// <summary>SCMP_ARCH_MIPSEL.</summary>
    public const string Mipsel = "SCMP_ARCH_MIPSEL";

    /// <summary>SCMP_ARCH_MIPSEL64.</summary>
    public const string Mipsel64 = "SCMP_ARCH_MIPSEL64";

    /// <summary>SCMP_ARCH_MIPSEL64N32.</summary>
    public const string Mipsel64n32 = "SCMP_ARCH_MIPSEL64N32";

    /// <summary>SCMP_ARCH_PPC.</summary>
    public const string Ppc = "SCMP_ARCH_PPC";

    /// <summary>SCMP_ARCH_PPC64.</summary>
    public const string Ppc64 = "SCMP_ARCH_PPC64";

    /// <summary>SCMP_ARCH_PPC64LE.</summary>
    public const string Ppc64le = "SCMP_ARCH_PPC64LE";

    /// <summary>SCMP_ARCH_S390.</summary>
    public const string S390 = "SCMP_ARCH_S390";

    /// <summary>SCMP_ARCH_S390X.</summary>
    public const string S390x = "SCMP_ARCH_S390X";

    /// <summary>SCMP_ARCH_PARISC.</summary>
    public const string Parisc = "SCMP_ARCH_PARISC";

    /// <summary>SCMP_ARCH_PARISC64.</summary>
    public const string Parisc64 = "SCMP_ARCH_PARISC64";

    /// <summary>SCMP_ARCH_RISCV64.</summary>
    public const string Riscv64 = "SCMP_ARCH_RISCV64";

    /// <summary>SCMP_ARCH_LOONGARCH64.</summary>
    public const string Loongarch64 = "SCMP_ARCH_LOONGARCH64";

    /// <summary>Every value this version knows, in declaration order.</summary>
    public static IReadOnlyList<string> All { get; } = [X86, X8664, X32, Arm, Aarch64, Mips, Mips64, Mips64n32, Mipsel, Mipsel64, Mipsel64n32, Ppc, Ppc64, Ppc64le, S390, S390x, Parisc, Parisc64, Riscv64, Loongarch64];

    // A HashSet, not a FrozenSet: a runcs process builds it once and looks up a few names; a FrozenSet's
    // analysis of its keys costs more than it saves there (measured in benchmarks/README.md).
    private static readonly HashSet<string> Known = new(All, StringComparer.Ordinal);

    /// <summary>Whether <paramref name="value"/> is one of <see cref="All"/> (ordinal, case-sensitive).</summary>
    /// <param name="value">The value to check.</param>
    /// <returns><see langword="true"/> when the value is known.</returns>
    public static bool IsKnown(string? value) => value is not null && Known.Contains(value);
}
