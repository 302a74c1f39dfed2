using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal const ulong MS_RDONLY = 0x1;
    internal const ulong MS_NOSUID = 0x2;
    internal const ulong MS_NODEV = 0x4;
    internal const ulong MS_NOEXEC = 0x8;
    internal const ulong MS_SYNCHRONOUS = 0x10;
    internal const ulong MS_REMOUNT = 0x20;
    internal const ulong MS_MANDLOCK = 0x40;
    internal const ulong MS_DIRSYNC = 0x80;
    internal const ulong MS_NOSYMFOLLOW = 0x100;
    internal const ulong MS_NOATIME = 0x400;
    internal const ulong MS_NODIRATIME = 0x800;
    internal const ulong MS_BIND = 0x1000;
    internal const ulong MS_REC = 0x4000;
    internal const ulong MS_UNBINDABLE = 0x20000;
    internal const ulong MS_PRIVATE = 0x40000;
    internal const ulong MS_SLAVE = 0x80000;
    internal const ulong MS_SHARED = 0x100000;
    internal const ulong MS_RELATIME = 0x200000;
    internal const ulong MS_STRICTATIME = 0x1000000;

    internal const ulong MOUNT_ATTR_RDONLY = 0x1;
    internal const ulong MOUNT_ATTR_NOSUID = 0x2;
    internal const ulong MOUNT_ATTR_NODEV = 0x4;
    internal const ulong MOUNT_ATTR_NOEXEC = 0x8;
    internal const ulong MOUNT_ATTR__ATIME = 0x70;
    internal const ulong MOUNT_ATTR_RELATIME = 0x0;
    internal const ulong MOUNT_ATTR_NOATIME = 0x10;
    internal const ulong MOUNT_ATTR_STRICTATIME = 0x20;
    internal const ulong MOUNT_ATTR_NODIRATIME = 0x80;
    internal const ulong MOUNT_ATTR_NOSYMFOLLOW = 0x200000;

    internal const int MNT_DETACH = 2;
    internal const int AT_EMPTY_PATH = 0x1000;
    internal const int AT_SYMLINK_NOFOLLOW = 0x100;
    internal const int AT_RECURSIVE = 0x8000;

    internal const ulong RESOLVE_NO_MAGICLINKS = 0x02;
    internal const ulong RESOLVE_NO_SYMLINKS = 0x04;
    internal const ulong RESOLVE_BENEATH = 0x08;
    internal const ulong RESOLVE_IN_ROOT = 0x10;

    /// <summary>The kernel's <c>struct mount_attr</c> for mount_setattr(2).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct MountAttr
    {
        public ulong AttrSet;
        public ulong AttrClr;
        public ulong Propagation;
        public ulong UsernsFd;
    }

    /// <summary>The kernel's <c>struct open_how</c> for openat2(2).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct OpenHow
    {
        public ulong Flags;
        public ulong Mode;
        public ulong Resolve;
    }

    [LibraryImport(Libc, EntryPoint = "umount2", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int Umount2(string target, int flags);
}
