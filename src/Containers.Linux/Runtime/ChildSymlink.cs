using System.Runtime.InteropServices;

namespace Containers.Linux.Runtime;

/// <summary>A symlink the child creates in the container's /dev.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct ChildSymlink
{
    /// <summary>What the link points to.</summary>
    public byte* Target;

    /// <summary>The link's name inside /dev.</summary>
    public byte* Name;

    /// <summary>1 to remove an existing entry first (ptmx), 0 to keep an existing entry.</summary>
    public int Replace;

    /// <summary>Padding.</summary>
    public int Reserved;
}
