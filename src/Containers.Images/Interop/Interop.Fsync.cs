using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

internal static partial class Interop
{
    [LibraryImport(Libc, EntryPoint = "fsync", SetLastError = true)]
    private static partial int FsyncRaw(SafeFileHandle fd);

    /// <summary>
    /// fsync(2) on a directory, so that a rename or unlink in it survives a crash. .NET cannot open
    /// a directory as a file handle, hence the raw open.
    /// </summary>
    internal static void FsyncDirectory(string path)
    {
        using SafeFileHandle? fd = Open(path, O_RDONLY | O_DIRECTORY, 0, out _);
        while (FsyncRaw(fd!) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno != EINTR)
            {
                throw ErrnoException(errno, "fsync", path);
            }
        }
    }
}
