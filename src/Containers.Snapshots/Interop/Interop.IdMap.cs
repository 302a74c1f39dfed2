using Microsoft.Win32.SafeHandles;

namespace Containers.Snapshots;

internal static partial class Interop
{
    internal const uint OPEN_TREE_CLONE = 0x1;
    internal const uint OPEN_TREE_CLOEXEC = 0x80000;
    internal const int AT_RECURSIVE = 0x8000;
    internal const ulong MOUNT_ATTR_IDMAP = 0x100000;

    private const long SYS_open_tree = 428;
    private const long SYS_mount_setattr = 442;

    [StructLayout(LayoutKind.Sequential)]
    internal struct MountAttr
    {
        public ulong AttrSet;
        public ulong AttrClear;
        public ulong Propagation;
        public ulong UsernsFd;
    }

    [LibraryImport(Libc, EntryPoint = "syscall", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int SyscallOpenTree(long number, int dirFd, string path, uint flags);

    [LibraryImport(Libc, EntryPoint = "syscall", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static unsafe partial int SyscallMountSetattr(long number, SafeFileHandle fd, string path, uint flags, MountAttr* attr, nuint size);

    /// <summary>open_tree(2) with OPEN_TREE_CLONE (and AT_RECURSIVE): a detached copy of the tree at <paramref name="path"/>.</summary>
    internal static SafeFileHandle OpenTreeClone(string path)
    {
        int fd = SyscallOpenTree(SYS_open_tree, AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
        if (fd < 0)
        {
            ThrowLastError("open_tree", path);
        }

        return new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>mount_setattr(2) MOUNT_ATTR_IDMAP (plus <paramref name="extra"/>) on a detached mount, recursively; returns errno or 0.</summary>
    internal static unsafe int SetIdMap(SafeFileHandle mount, SafeFileHandle userNamespace, ulong extra)
    {
        MountAttr attr = default;
        attr.AttrSet = MOUNT_ATTR_IDMAP | extra;
        attr.UsernsFd = (ulong)userNamespace.DangerousGetHandle();
        return SyscallMountSetattr(SYS_mount_setattr, mount, string.Empty, (uint)(AT_EMPTY_PATH | AT_RECURSIVE), &attr, (nuint)sizeof(MountAttr)) == 0
            ? 0
            : Marshal.GetLastPInvokeError();
    }
}
