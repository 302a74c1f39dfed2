using System.Runtime.InteropServices;

namespace Containers.Linux.Runtime;

/// <summary>An rlimit the child sets with prlimit64(2); Soft and Hard form the kernel's <c>struct rlimit64</c>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct ChildResourceLimit
{
    /// <summary>RLIMIT_* number.</summary>
    public long Resource;

    /// <summary>Soft limit.</summary>
    public ulong Soft;

    /// <summary>Hard limit.</summary>
    public ulong Hard;
}
