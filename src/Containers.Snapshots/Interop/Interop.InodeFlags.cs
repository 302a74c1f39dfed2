using Microsoft.Win32.SafeHandles;

namespace Containers.Snapshots;

internal static partial class Interop
{
    /// <summary>FS_IOC_GETFLAGS: reads an inode's attribute flags (lsattr) into an int.</summary>
    internal const ulong FS_IOC_GETFLAGS = 0x80086601;

    /// <summary>FS_IOC_SETFLAGS: writes them (chattr).</summary>
    internal const ulong FS_IOC_SETFLAGS = 0x40086602;

    /// <summary>FS_TOPDIR_FL (chattr +T): the directory is the top of directory hierarchies, for the Orlov block allocator.</summary>
    internal const int FS_TOPDIR_FL = 0x00020000;

    [LibraryImport(Libc, EntryPoint = "ioctl", SetLastError = true)]
    internal static unsafe partial int IoctlInt(SafeFileHandle fd, ulong request, int* argument);
}
