using System.Runtime.InteropServices;

namespace Containers.Linux.Runtime;

/// <summary>A device node the child creates with mknodat(2).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct ChildDevice
{
    /// <summary>Parent directory relative to the rootfs (for example <c>dev</c>); edited in place.</summary>
    public byte* Directory;

    /// <summary>The node's name inside <see cref="Directory"/>.</summary>
    public byte* Name;

    /// <summary>File type and permission bits (S_IFCHR | 0666…).</summary>
    public uint Mode;

    /// <summary>Kernel-encoded device number, as mknodat(2) takes it.</summary>
    public uint Device;

    /// <summary>Host device node to bind-mount instead of mknod (in a user namespace, where mknod is not allowed), or null.</summary>
    public byte* HostPath;

    /// <summary>Owner.</summary>
    public uint Uid;

    /// <summary>Group.</summary>
    public uint Gid;
}
