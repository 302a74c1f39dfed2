using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

internal static partial class Interop
{
    private const int AT_EMPTY_PATH = 0x1000;
    private const uint STATX_INO = 0x100;

    // struct statx is the same on every architecture (unlike struct stat), which is why it is used
    // here: stx_ino is the u64 at offset 32, stx_dev_major/minor the u32s at 136 and 140.
    private const int StatxSize = 256;
    private const int StatxInoOffset = 32;
    private const int StatxDevOffset = 136;

    [LibraryImport(Libc, EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int StatxPath(int dirFd, string path, int flags, uint mask, byte* buffer);

    [LibraryImport(Libc, EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int StatxFd(SafeFileHandle dirFd, string path, int flags, uint mask, byte* buffer);

    /// <summary>The (device, inode) identity of an open file.</summary>
    internal static unsafe (ulong Device, ulong Inode) GetFileId(SafeFileHandle fd, string pathForErrors)
    {
        byte* buffer = stackalloc byte[StatxSize];
        if (StatxFd(fd, string.Empty, AT_EMPTY_PATH, STATX_INO, buffer) != 0)
        {
            throw ErrnoException(Marshal.GetLastPInvokeError(), "statx", pathForErrors);
        }

        return ReadFileId(new ReadOnlySpan<byte>(buffer, StatxSize));
    }

    /// <summary>The (device, inode) identity of a path, or null when nothing is there.</summary>
    internal static unsafe (ulong Device, ulong Inode)? TryGetFileId(string path)
    {
        byte* buffer = stackalloc byte[StatxSize];
        if (StatxPath(AT_FDCWD, path, 0, STATX_INO, buffer) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            return errno == ENOENT ? null : throw ErrnoException(errno, "statx", path);
        }

        return ReadFileId(new ReadOnlySpan<byte>(buffer, StatxSize));
    }

    private static (ulong Device, ulong Inode) ReadFileId(ReadOnlySpan<byte> statx)
    {
        ulong inode = BinaryPrimitives.ReadUInt64LittleEndian(statx[StatxInoOffset..]);
        ulong device = BinaryPrimitives.ReadUInt64LittleEndian(statx[StatxDevOffset..]);
        return (device, inode);
    }
}
