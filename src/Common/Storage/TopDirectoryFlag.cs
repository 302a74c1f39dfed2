using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Containers.Common;

/// <summary>
/// ext2/3/4's "top of directory hierarchies" attribute (<c>chattr +T</c>, FS_TOPDIR_FL) for a directory whose children are
/// independent trees made and removed at a container's pace: the snapshots directory (one tree per snapshot), a
/// namespace's bundles, the shims, and a shim's task and runtime directories (a warm or a group's shim serves many tasks).
/// With it, ext4's Orlov allocator places each new child directory — and so that child's whole tree — in a block group
/// chosen afresh, instead of in the parent's group. That matters on ext4 without a journal:
/// allocating an inode there steps over every inode of the group freed in the last 30 seconds one by one (the kernel's
/// <c>recently_deleted</c> check), so in one group where containers come and go a few times a second each new directory
/// or file costs ~0.2–0.5 ms. On this project's test VM (ext4, no journal), an overlay mount of a fresh upper directory
/// took 1.5–2.8 ms (median) and the container's four mount points in it 0.85–1.6 ms under such churn, 0.23 and 0.10 ms
/// with the parent marked. Other file systems have no such attribute: nothing is changed there.
/// </summary>
/// <remarks>
/// One source file compiled into Containers.Snapshots (its snapshots directory) and Containers.Linux (the shim's directories;
/// Containers.Lifecycle's bundles and shims through it): neither package may reference the other.
/// </remarks>
internal static partial class TopDirectoryFlag
{
    /// <summary>FS_IOC_GETFLAGS: reads an inode's attribute flags (lsattr) into an int.</summary>
    private const ulong FS_IOC_GETFLAGS = 0x80086601;

    /// <summary>FS_IOC_SETFLAGS: writes them (chattr).</summary>
    private const ulong FS_IOC_SETFLAGS = 0x40086602;

    /// <summary>FS_TOPDIR_FL (chattr +T): the directory is the top of directory hierarchies, for the Orlov block allocator.</summary>
    private const int FS_TOPDIR_FL = 0x00020000;

    private const int O_RDONLY = 0x0;
    private const int O_DIRECTORY = 0x10000;
    private const int O_NOFOLLOW = 0x20000;
    private const int O_CLOEXEC = 0x80000;

    /// <summary>Sets the attribute on <paramref name="directory"/> where its file system has it.</summary>
    /// <returns>Whether the directory has the attribute now; false on a file system without it (tmpfs, xfs, btrfs…), without permission, or for a missing directory.</returns>
    public static unsafe bool TrySet(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        using SafeFileHandle fd = Open(directory, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
        if (fd.IsInvalid)
        {
            return false;
        }

        int flags = 0;
        if (Ioctl(fd, FS_IOC_GETFLAGS, &flags) != 0)
        {
            return false;
        }

        if ((flags & FS_TOPDIR_FL) != 0)
        {
            return true;
        }

        flags |= FS_TOPDIR_FL;
        return Ioctl(fd, FS_IOC_SETFLAGS, &flags) == 0;
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial SafeFileHandle Open(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static unsafe partial int Ioctl(SafeFileHandle fd, ulong request, int* argument);
}
