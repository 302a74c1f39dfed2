using Microsoft.Win32.SafeHandles;

namespace Containers.Snapshots;

internal static partial class Interop
{
    internal const ulong MS_RDONLY = 0x1;
    internal const ulong MS_REMOUNT = 0x20;
    internal const ulong MS_BIND = 0x1000;
    internal const ulong MS_REC = 0x4000;

    internal const int MNT_DETACH = 0x2;
    internal const int UMOUNT_NOFOLLOW = 0x8;

    internal const uint FSOPEN_CLOEXEC = 0x1;
    internal const uint FSCONFIG_SET_FLAG = 0;
    internal const uint FSCONFIG_SET_STRING = 1;
    internal const uint FSCONFIG_CMD_CREATE = 6;
    internal const uint FSMOUNT_CLOEXEC = 0x1;
    internal const uint MOUNT_ATTR_RDONLY = 0x1;
    internal const uint MOVE_MOUNT_F_EMPTY_PATH = 0x4;

    // x86-64 and aarch64 share these numbers (the new mount API came after the generic table was unified).
    private const long SYS_fsopen = 430;
    private const long SYS_fsconfig = 431;
    private const long SYS_fsmount = 432;
    private const long SYS_move_mount = 429;

    [LibraryImport(Libc, EntryPoint = "mount", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int Mount(string source, string target, string? fstype, ulong flags, string? data);

    [LibraryImport(Libc, EntryPoint = "umount2", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int Umount2(string target, int flags);

    [LibraryImport(Libc, EntryPoint = "syscall", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int SyscallFsOpen(long number, string fsname, uint flags);

    [LibraryImport(Libc, EntryPoint = "syscall", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int SyscallFsConfig(long number, SafeFileHandle fd, uint cmd, string? key, string? value, int aux);

    [LibraryImport(Libc, EntryPoint = "syscall", SetLastError = true)]
    private static partial int SyscallFsMount(long number, SafeFileHandle fd, uint flags, uint attrFlags);

    [LibraryImport(Libc, EntryPoint = "syscall", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int SyscallMoveMount(long number, SafeFileHandle fromDirfd, string fromPath, int toDirfd, string toPath, uint flags);

    /// <summary>fsopen(2): a filesystem context for <paramref name="fsname"/>.</summary>
    internal static SafeFileHandle FsOpen(string fsname)
    {
        int fd = SyscallFsOpen(SYS_fsopen, fsname, FSOPEN_CLOEXEC);
        if (fd < 0)
        {
            ThrowLastError("fsopen", fsname);
        }

        return new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>fsconfig(2) with a string value (or a flag when <paramref name="value"/> is null); returns errno or 0.</summary>
    internal static int FsConfig(SafeFileHandle context, uint cmd, string? key, string? value) =>
        SyscallFsConfig(SYS_fsconfig, context, cmd, key, value, 0) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>fsmount(2): the detached mount of a created context.</summary>
    internal static SafeFileHandle FsMount(SafeFileHandle context, uint attrFlags)
    {
        int fd = SyscallFsMount(SYS_fsmount, context, FSMOUNT_CLOEXEC, attrFlags);
        if (fd < 0)
        {
            ThrowLastError("fsmount");
        }

        return new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>move_mount(2) of a detached mount fd onto a path.</summary>
    internal static void MoveMount(SafeFileHandle mountFd, string target)
    {
        if (SyscallMoveMount(SYS_move_mount, mountFd, string.Empty, AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) != 0)
        {
            ThrowLastError("move_mount", target);
        }
    }
}
