namespace Containers.Linux.Seccomp;

/// <summary>
/// A syscall ABI a seccomp filter can cover: one of the OCI <c>SCMP_ARCH_*</c> names. Endianness variants
/// are separate because the kernel reports them with different <c>AUDIT_ARCH_*</c> values.
/// </summary>
public enum SeccompArchitecture
{
    /// <summary><c>SCMP_ARCH_X86</c> (i386).</summary>
    X86,

    /// <summary><c>SCMP_ARCH_X86_64</c> (amd64).</summary>
    X86_64,

    /// <summary><c>SCMP_ARCH_X32</c>: the x86_64 kernel with <c>__X32_SYSCALL_BIT</c> set in the syscall number.</summary>
    X32,

    /// <summary><c>SCMP_ARCH_ARM</c> (EABI).</summary>
    Arm,

    /// <summary><c>SCMP_ARCH_AARCH64</c>.</summary>
    Aarch64,

    /// <summary><c>SCMP_ARCH_MIPS</c> (o32, big endian).</summary>
    Mips,

    /// <summary><c>SCMP_ARCH_MIPS64</c> (n64, big endian).</summary>
    Mips64,

    /// <summary><c>SCMP_ARCH_MIPS64N32</c> (big endian).</summary>
    Mips64N32,

    /// <summary><c>SCMP_ARCH_MIPSEL</c> (o32, little endian).</summary>
    Mipsel,

    /// <summary><c>SCMP_ARCH_MIPSEL64</c> (n64, little endian).</summary>
    Mipsel64,

    /// <summary><c>SCMP_ARCH_MIPSEL64N32</c> (little endian).</summary>
    Mipsel64N32,

    /// <summary><c>SCMP_ARCH_PPC</c>.</summary>
    Ppc,

    /// <summary><c>SCMP_ARCH_PPC64</c> (big endian).</summary>
    Ppc64,

    /// <summary><c>SCMP_ARCH_PPC64LE</c>.</summary>
    Ppc64Le,

    /// <summary><c>SCMP_ARCH_S390</c>.</summary>
    S390,

    /// <summary><c>SCMP_ARCH_S390X</c>.</summary>
    S390X,

    /// <summary><c>SCMP_ARCH_PARISC</c>.</summary>
    Parisc,

    /// <summary><c>SCMP_ARCH_PARISC64</c>.</summary>
    Parisc64,

    /// <summary><c>SCMP_ARCH_RISCV64</c>.</summary>
    Riscv64,

    /// <summary><c>SCMP_ARCH_LOONGARCH64</c>: known by name, but the syscall table has no numbers for it yet.</summary>
    Loongarch64,
}
