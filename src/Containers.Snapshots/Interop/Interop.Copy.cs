using Microsoft.Win32.SafeHandles;

namespace Containers.Snapshots;

internal static partial class Interop
{
    internal const ulong FICLONE = 0x40049409;
    internal const int EOPNOTSUPP = 95;
    internal const int EINVAL = 22;
    internal const int ENOTTY = 25;
    internal const int EBADF = 9;

    [LibraryImport(Libc, EntryPoint = "ioctl", SetLastError = true)]
    private static partial int IoctlFd(SafeFileHandle fd, ulong request, SafeFileHandle argument);

    [LibraryImport(Libc, EntryPoint = "copy_file_range", SetLastError = true)]
    private static partial nint CopyFileRangeNative(SafeFileHandle fdIn, nint offIn, SafeFileHandle fdOut, nint offOut, nuint length, uint flags);

    [LibraryImport(Libc, EntryPoint = "readlinkat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static unsafe partial nint ReadLinkAtNative(SafeFileHandle dirfd, string path, byte* buffer, nuint size);

    [LibraryImport(Libc, EntryPoint = "renameat2", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int RenameAt2Native(int olddirfd, string oldpath, int newdirfd, string newpath, uint flags);

    [LibraryImport(Libc, EntryPoint = "lchown", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int LChown(string path, uint uid, uint gid);

    internal const uint RENAME_NOREPLACE = 0x1;

    /// <summary>Shares the source's extents with the destination (reflink); returns errno or 0.</summary>
    internal static int Ficlone(SafeFileHandle destination, SafeFileHandle source) =>
        IoctlFd(destination, FICLONE, source) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>Copies up to <paramref name="length"/> bytes in the kernel at the current offsets; returns bytes copied, or -errno.</summary>
    internal static long CopyFileRange(SafeFileHandle source, SafeFileHandle destination, long length)
    {
        nint n = CopyFileRangeNative(source, 0, destination, 0, (nuint)length, 0);
        return n < 0 ? -Marshal.GetLastPInvokeError() : n;
    }

    /// <summary>readlinkat(2) of a symlink relative to a directory fd.</summary>
    internal static unsafe string ReadLinkAt(SafeFileHandle dirfd, string path)
    {
        byte* buffer = stackalloc byte[4097];
        nint n = ReadLinkAtNative(dirfd, path, buffer, 4097);
        if (n < 0)
        {
            ThrowLastError("readlinkat", path);
        }

        return System.Text.Encoding.UTF8.GetString(buffer, (int)n);
    }

    /// <summary>renameat2(2) by absolute paths; returns errno or 0.</summary>
    internal static int Rename(string oldPath, string newPath, uint flags) =>
        RenameAt2Native(AT_FDCWD, oldPath, AT_FDCWD, newPath, flags) == 0 ? 0 : Marshal.GetLastPInvokeError();
}
