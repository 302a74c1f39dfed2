using System.Collections.Frozen;

namespace Containers.Linux.Seccomp;

/// <summary>What the compiler needs to know about one <see cref="SeccompArchitecture"/>.</summary>
/// <param name="Architecture">The architecture.</param>
/// <param name="OciName">Its <c>SCMP_ARCH_*</c> name.</param>
/// <param name="AuditArch">The <c>AUDIT_ARCH_*</c> value the kernel puts in <c>seccomp_data.arch</c>.</param>
/// <param name="Is64Bit">Whether libseccomp treats the ABI as 64-bit (ARCH_SIZE_64) and compares both words of an argument; otherwise it compares the low word only (x32 and MIPS n32 included).</param>
/// <param name="BigEndian">Whether the high word of an argument comes first in <c>seccomp_data</c>.</param>
/// <param name="Abi">The syscall table column, or null when the table has none.</param>
internal sealed record SeccompArchitectureInfo(
    SeccompArchitecture Architecture,
    string OciName,
    uint AuditArch,
    bool Is64Bit,
    bool BigEndian,
    SyscallAbi? Abi)
{
    private const uint Arch64 = 0x80000000;
    private const uint ArchLe = 0x40000000;

    /// <summary>The x32 ABI marks its syscall numbers with this bit (<c>__X32_SYSCALL_BIT</c>).</summary>
    internal const uint X32SyscallBit = 0x40000000;

    /// <summary>Every architecture, indexed by <see cref="SeccompArchitecture"/>.</summary>
    internal static IReadOnlyList<SeccompArchitectureInfo> All { get; } =
    [
        new(SeccompArchitecture.X86, "SCMP_ARCH_X86", 3 | ArchLe, false, false, SyscallAbi.X86),
        new(SeccompArchitecture.X86_64, "SCMP_ARCH_X86_64", 62 | Arch64 | ArchLe, true, false, SyscallAbi.X8664),
        // libseccomp's x32 is ARCH_SIZE_32: its rules compare the low word of each argument only, like MIPS n32's.
        new(SeccompArchitecture.X32, "SCMP_ARCH_X32", 62 | Arch64 | ArchLe, false, false, SyscallAbi.X32),
        new(SeccompArchitecture.Arm, "SCMP_ARCH_ARM", 40 | ArchLe, false, false, SyscallAbi.Arm),
        new(SeccompArchitecture.Aarch64, "SCMP_ARCH_AARCH64", 183 | Arch64 | ArchLe, true, false, SyscallAbi.Aarch64),
        new(SeccompArchitecture.Mips, "SCMP_ARCH_MIPS", 8, false, true, SyscallAbi.Mips),
        new(SeccompArchitecture.Mips64, "SCMP_ARCH_MIPS64", 8 | Arch64, true, true, SyscallAbi.Mips64),
        new(SeccompArchitecture.Mips64N32, "SCMP_ARCH_MIPS64N32", 8 | Arch64 | 0x20000000, false, true, SyscallAbi.Mips64n32),
        new(SeccompArchitecture.Mipsel, "SCMP_ARCH_MIPSEL", 8 | ArchLe, false, false, SyscallAbi.Mips),
        new(SeccompArchitecture.Mipsel64, "SCMP_ARCH_MIPSEL64", 8 | Arch64 | ArchLe, true, false, SyscallAbi.Mips64),
        new(SeccompArchitecture.Mipsel64N32, "SCMP_ARCH_MIPSEL64N32", 8 | Arch64 | ArchLe | 0x20000000, false, false, SyscallAbi.Mips64n32),
        new(SeccompArchitecture.Ppc, "SCMP_ARCH_PPC", 20, false, true, SyscallAbi.Ppc),
        new(SeccompArchitecture.Ppc64, "SCMP_ARCH_PPC64", 21 | Arch64, true, true, SyscallAbi.Ppc64),
        new(SeccompArchitecture.Ppc64Le, "SCMP_ARCH_PPC64LE", 21 | Arch64 | ArchLe, true, false, SyscallAbi.Ppc64),
        new(SeccompArchitecture.S390, "SCMP_ARCH_S390", 22, false, true, SyscallAbi.S390),
        new(SeccompArchitecture.S390X, "SCMP_ARCH_S390X", 22 | Arch64, true, true, SyscallAbi.S390x),
        new(SeccompArchitecture.Parisc, "SCMP_ARCH_PARISC", 15, false, true, SyscallAbi.Parisc),
        new(SeccompArchitecture.Parisc64, "SCMP_ARCH_PARISC64", 15 | Arch64, true, true, SyscallAbi.Parisc64),
        new(SeccompArchitecture.Riscv64, "SCMP_ARCH_RISCV64", 243 | Arch64 | ArchLe, true, false, SyscallAbi.Riscv64),
        new(SeccompArchitecture.Loongarch64, "SCMP_ARCH_LOONGARCH64", 258 | Arch64 | ArchLe, true, false, null),
    ];

    private static readonly FrozenDictionary<string, SeccompArchitectureInfo> ByName =
        All.ToFrozenDictionary(a => a.OciName, StringComparer.Ordinal);

    /// <summary>The info of <paramref name="architecture"/>.</summary>
    internal static SeccompArchitectureInfo Of(SeccompArchitecture architecture) => All[(int)architecture];

    /// <summary>Looks an <c>SCMP_ARCH_*</c> name up.</summary>
    internal static bool TryParse(string? name, out SeccompArchitectureInfo info)
    {
        if (name is not null && ByName.TryGetValue(name, out SeccompArchitectureInfo? found))
        {
            info = found;
            return true;
        }

        info = null!;
        return false;
    }

    /// <summary>The syscall number of <paramref name="name"/> on this architecture, or -1 when it has none.</summary>
    internal int Resolve(string name) => Abi is { } abi ? SyscallTable.Resolve(name, abi) : -1;
}
