using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

internal static partial class Interop
{
    internal const int O_NONBLOCK = 0x800;
    internal const int O_NOFOLLOW = 0x20000;
    internal const int ELOOP = 40;
    internal const int ENOTDIR = 20;

    private const uint STATX_TYPE = 0x1;
    private const int StatxModeOffset = 28;
    private const ushort S_IFMT = 0xF000;

    /// <summary>The file-type bits of a mode: a regular file.</summary>
    internal const ushort S_IFREG = 0x8000;

    /// <summary>The file-type bits of a mode: a directory.</summary>
    internal const ushort S_IFDIR = 0x4000;

    [LibraryImport(Libc, EntryPoint = "openat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenAtRaw(SafeFileHandle dirFd, string path, int flags, uint mode);

    /// <summary>
    /// openat(2) of one path component below <paramref name="directory"/> with O_NOFOLLOW|O_CLOEXEC,
    /// so a symlink is never followed. Returns null with <paramref name="errno"/> set for the errnos in
    /// <paramref name="tolerated"/>.
    /// </summary>
    internal static SafeFileHandle? OpenAt(SafeFileHandle directory, string name, int flags, out int errno, params ReadOnlySpan<int> tolerated)
    {
        int fd;
        do
        {
            fd = OpenAtRaw(directory, name, flags | O_NOFOLLOW | O_CLOEXEC, 0);
            errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
        }
        while (fd < 0 && errno == EINTR);

        if (fd >= 0)
        {
            return new SafeFileHandle(fd, ownsHandle: true);
        }

        return tolerated.Contains(errno) ? null : throw ErrnoException(errno, "openat", name);
    }

    /// <summary>The file-type bits (S_IFMT) of an open file.</summary>
    internal static unsafe ushort GetFileType(SafeFileHandle fd, string pathForErrors)
    {
        byte* buffer = stackalloc byte[StatxSize];
        if (StatxFd(fd, string.Empty, AT_EMPTY_PATH, STATX_TYPE, buffer) != 0)
        {
            throw ErrnoException(Marshal.GetLastPInvokeError(), "statx", pathForErrors);
        }

        return (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(new ReadOnlySpan<byte>(buffer + StatxModeOffset, 2)) & S_IFMT);
    }
}
