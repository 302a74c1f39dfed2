using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal const uint FSOPEN_CLOEXEC = 0x1;
    internal const uint FSMOUNT_CLOEXEC = 0x1;
    internal const uint FSCONFIG_SET_FLAG = 0;
    internal const uint FSCONFIG_SET_STRING = 1;
    internal const uint FSCONFIG_CMD_CREATE = 6;
    internal const int MOVE_MOUNT_F_EMPTY_PATH = 0x4;
    internal const int MOVE_MOUNT_T_EMPTY_PATH = 0x40;

    internal const uint OPEN_TREE_CLONE = 0x1;
    internal const uint OPEN_TREE_CLOEXEC = 0x80000;
    internal const ulong MOUNT_ATTR_IDMAP = 0x100000;

    // The new mount API shares one number on every architecture (it came after the 424 unification).
    private const long SYS_open_tree = 428;
    private const long SYS_mount_setattr = 442;
    private const long SYS_fsopen = 430;
    private const long SYS_fsconfig = 431;
    private const long SYS_fsmount = 432;

    [LibraryImport(Libc, EntryPoint = "syscall", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial long SyscallString2(long number, string arg1, long arg2);

    [LibraryImport(Libc, EntryPoint = "syscall", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial long SyscallFsconfig(long number, int fd, uint command, string? key, string? value, int aux);

    [LibraryImport(Libc, EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall3(long number, long arg1, long arg2, long arg3);

    [LibraryImport(Libc, EntryPoint = "syscall", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial long SyscallOpenTree(long number, int dirFd, string path, uint flags);

    [LibraryImport(Libc, EntryPoint = "syscall", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static unsafe partial long SyscallMountSetattr(long number, int dirFd, string path, uint flags, MountAttr* attr, nuint size);

    /// <summary>open_tree(2) with OPEN_TREE_CLONE: a detached copy of the mount (tree, with AT_RECURSIVE) at <paramref name="path"/>.</summary>
    internal static int OpenTreeClone(string path, bool recursive)
        => (int)SyscallOpenTree(SYS_open_tree, AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? (uint)AT_RECURSIVE : 0));

    /// <summary>mount_setattr(2) on the mount <paramref name="fd"/> refers to (AT_EMPTY_PATH).</summary>
    internal static unsafe int MountSetattr(int fd, bool recursive, MountAttr attr)
        => (int)SyscallMountSetattr(SYS_mount_setattr, fd, string.Empty, (uint)(AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0)), &attr, (nuint)sizeof(MountAttr));

    /// <summary>fsopen(2): a filesystem context for <paramref name="fsType"/>.</summary>
    internal static int Fsopen(string fsType) => (int)SyscallString2(SYS_fsopen, fsType, FSOPEN_CLOEXEC);

    /// <summary>fsconfig(2) with a key and an optional string value (FSCONFIG_SET_FLAG without one).</summary>
    internal static int Fsconfig(int fd, string key, string? value)
        => (int)SyscallFsconfig(SYS_fsconfig, fd, value is null ? FSCONFIG_SET_FLAG : FSCONFIG_SET_STRING, key, value, 0);

    /// <summary>fsconfig(2) FSCONFIG_CMD_CREATE: makes the superblock.</summary>
    internal static int FsconfigCreate(int fd) => (int)SyscallFsconfig(SYS_fsconfig, fd, FSCONFIG_CMD_CREATE, null, null, 0);

    /// <summary>fsmount(2): a detached mount of the context's superblock, as an fd.</summary>
    internal static int Fsmount(int fd) => (int)Syscall3(SYS_fsmount, fd, FSMOUNT_CLOEXEC, 0);

    [LibraryImport(Libc, EntryPoint = "lchown", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int Lchown(string path, uint owner, uint group);

    [LibraryImport(Libc, EntryPoint = "fchownat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int Fchownat(int dirFd, string path, uint owner, uint group, int flags);

    [LibraryImport(Libc, EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static unsafe partial int Statx(int dirFd, string path, int flags, uint mask, byte* buffer);
}
