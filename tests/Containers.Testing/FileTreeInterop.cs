using System.Runtime.InteropServices;

namespace Containers.Testing;

/// <summary>lstat and xattr calls for <see cref="FileTree"/> (the BCL has no lstat with inode, owner and device numbers).</summary>
internal static partial class FileTreeInterop
{
    public const int AtFdCwd = -100;
    public const int AtSymlinkNoFollow = 0x100;
    public const uint StatxBasicStats = 0x7ff;

    [StructLayout(LayoutKind.Sequential)]
    public struct StatxTimestamp
    {
        public long Seconds;
        public uint Nanoseconds;
        private readonly int _reserved;
    }

    [StructLayout(LayoutKind.Sequential, Size = 256)]
    public struct Statx
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
    }

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int StatxNative(int dirfd, string path, int flags, uint mask, out Statx buffer);

    [LibraryImport("libc", EntryPoint = "lgetxattr", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static unsafe partial nint LGetXattrNative(string path, string name, byte* value, nuint size);

    [LibraryImport("libc", EntryPoint = "llistxattr", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static unsafe partial nint LListXattrNative(string path, byte* list, nuint size);

    [LibraryImport("libc", EntryPoint = "lsetxattr", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static unsafe partial int LSetXattrNative(string path, string name, byte* value, nuint size, int flags);

    public static Statx LStat(string path)
    {
        if (StatxNative(AtFdCwd, path, AtSymlinkNoFollow, StatxBasicStats, out Statx st) != 0)
        {
            throw new IOException($"statx {path}: errno {Marshal.GetLastPInvokeError()}");
        }

        return st;
    }

    public static unsafe string[] LListXattr(string path)
    {
        byte[] buffer = new byte[65536];
        fixed (byte* b = buffer)
        {
            nint n = LListXattrNative(path, b, (nuint)buffer.Length);
            if (n < 0)
            {
                throw new IOException($"llistxattr {path}: errno {Marshal.GetLastPInvokeError()}");
            }

            return System.Text.Encoding.UTF8.GetString(buffer, 0, (int)n).Split('\0', StringSplitOptions.RemoveEmptyEntries);
        }
    }

    public static unsafe byte[] LGetXattr(string path, string name)
    {
        byte[] buffer = new byte[65536];
        fixed (byte* b = buffer)
        {
            nint n = LGetXattrNative(path, name, b, (nuint)buffer.Length);
            if (n < 0)
            {
                throw new IOException($"lgetxattr {path} {name}: errno {Marshal.GetLastPInvokeError()}");
            }

            return buffer[..(int)n];
        }
    }

    public static unsafe void LSetXattr(string path, string name, ReadOnlySpan<byte> value)
    {
        fixed (byte* v = value)
        {
            if (LSetXattrNative(path, name, v, (nuint)value.Length, 0) != 0)
            {
                throw new IOException($"lsetxattr {path} {name}: errno {Marshal.GetLastPInvokeError()}");
            }
        }
    }
}
