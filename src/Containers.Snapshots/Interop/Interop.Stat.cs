using Microsoft.Win32.SafeHandles;

namespace Containers.Snapshots;

internal static partial class Interop
{
    internal const uint STATX_BASIC_STATS = 0x7ff;

    internal const uint S_IFMT = 0xF000;
    internal const uint S_IFSOCK = 0xC000;
    internal const uint S_IFLNK = 0xA000;
    internal const uint S_IFREG = 0x8000;
    internal const uint S_IFBLK = 0x6000;
    internal const uint S_IFDIR = 0x4000;
    internal const uint S_IFCHR = 0x2000;
    internal const uint S_IFIFO = 0x1000;

    [StructLayout(LayoutKind.Sequential)]
    internal struct StatxTimestamp
    {
        public long Seconds;
        public uint Nanoseconds;
        private readonly int _reserved;
    }

    // statx(2) rather than fstatat: its layout is the same on every architecture.
    [StructLayout(LayoutKind.Sequential, Size = 256)]
    internal struct Statx
    {
        public uint Mask;
        public uint BlockSize;
        public ulong Attributes;
        public uint Nlink;
        public uint Uid;
        public uint Gid;
        public ushort Mode;
        private readonly ushort _pad1;
        public ulong Ino;
        public ulong Size;
        public ulong Blocks;
        public ulong AttributesMask;
        public StatxTimestamp Atime;
        public StatxTimestamp Btime;
        public StatxTimestamp Ctime;
        public StatxTimestamp Mtime;
        public uint RdevMajor;
        public uint RdevMinor;
        public uint DevMajor;
        public uint DevMinor;

        public readonly uint FileType => Mode & S_IFMT;
    }

    [LibraryImport(Libc, EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int StatxNative(SafeFileHandle dirfd, string path, int flags, uint mask, out Statx buffer);

    /// <summary>lstat-like (never follows the last component) relative to a directory fd; returns errno or 0.</summary>
    internal static int LStatAt(SafeFileHandle dirfd, string name, out Statx buffer) =>
        StatxNative(dirfd, name, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, out buffer) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>fstat of an fd (also an O_PATH fd).</summary>
    internal static Statx FStat(SafeFileHandle fd)
    {
        if (StatxNative(fd, string.Empty, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, out Statx buffer) != 0)
        {
            ThrowLastError("statx");
        }

        return buffer;
    }
}
