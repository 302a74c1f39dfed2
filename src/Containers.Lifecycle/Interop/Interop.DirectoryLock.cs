using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Containers.Lifecycle;

/// <summary>
/// A directory as its own exclusive claim: mkdir that reports an existing name, flock on the directory's
/// descriptor (released by the kernel when the process dies), and its link count (0 once it was removed).
/// </summary>
internal static partial class Interop
{
    private const int ENOENT = 2;
    private const int EWOULDBLOCK = 11;
    private const int LOCK_EX = 2;
    private const int LOCK_NB = 4;
    private const int AT_EMPTY_PATH = 0x1000;
    private const uint STATX_NLINK = 0x4;

    [LibraryImport(Libc, EntryPoint = "mkdir", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MkdirNative(string path, uint mode);

    [LibraryImport(Libc, EntryPoint = "flock", SetLastError = true)]
    private static partial int FlockNative(SafeFileHandle fd, int operation);

    [LibraryImport(Libc, EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int StatxNative(SafeFileHandle dirFd, string path, int flags, uint mask, byte* buffer);

    /// <summary>Creates a directory with <paramref name="mode"/> (before the umask); false when the name exists.</summary>
    /// <exception cref="IOException">mkdir failed otherwise.</exception>
    internal static bool TryMakeDirectory(string path, UnixFileMode mode)
    {
        if (MkdirNative(path, (uint)mode) == 0)
        {
            return true;
        }

        int errno = Marshal.GetLastPInvokeError();
        return errno == EEXIST ? false : throw new IOException($"mkdir {path}: {Marshal.GetPInvokeErrorMessage(errno)}", errno);
    }

    /// <summary>
    /// Opens a directory and takes an exclusive flock on it without waiting. Null when the directory is gone
    /// (<paramref name="held"/> false) or another open file description holds the lock (<paramref name="held"/> true).
    /// </summary>
    /// <exception cref="IOException">open or flock failed otherwise.</exception>
    internal static SafeFileHandle? TryLockDirectory(string path, out bool held) => TryLock(path, O_RDONLY | O_DIRECTORY, out held);

    /// <summary>
    /// Opens <paramref name="path"/> with <paramref name="flags"/> and takes an exclusive flock on it without waiting.
    /// Null when it is gone (<paramref name="held"/> false) or another open file description holds the lock
    /// (<paramref name="held"/> true).
    /// </summary>
    /// <exception cref="IOException">open or flock failed otherwise.</exception>
    internal static SafeFileHandle? TryLock(string path, int flags, out bool held)
    {
        held = false;
        // Not Open's exception for a name that is gone: every bundle removal asks for a lock file that is usually not there.
        SafeFileHandle? handle = TryOpen(path, flags, out int openErrno);
        if (handle is null)
        {
            return openErrno == ENOENT ? null : throw new IOException($"open {path}: {Marshal.GetPInvokeErrorMessage(openErrno)}", openErrno);
        }

        while (FlockNative(handle, LOCK_EX | LOCK_NB) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno == EINTR)
            {
                continue;
            }

            handle.Dispose();
            held = errno == EWOULDBLOCK;
            return held ? null : throw new IOException($"flock {path}: {Marshal.GetPInvokeErrorMessage(errno)}", errno);
        }

        return handle;
    }

    /// <summary>Whether the open directory (or file) still has a name (statx's link count is 0 once it was removed).</summary>
    /// <exception cref="IOException">statx failed.</exception>
    internal static unsafe bool IsLinked(SafeFileHandle directory)
    {
        // struct statx: stx_mask u32, stx_blksize u32, stx_attributes u64, stx_nlink u32 at offset 16; 256 bytes.
        byte* buffer = stackalloc byte[256];
        if (StatxNative(directory, string.Empty, AT_EMPTY_PATH, STATX_NLINK, buffer) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new IOException($"statx: {Marshal.GetPInvokeErrorMessage(errno)}", errno);
        }

        return *(uint*)(buffer + 16) > 0;
    }
}
