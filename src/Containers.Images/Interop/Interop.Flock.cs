using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

internal static partial class Interop
{
    internal const int LOCK_EX = 2;
    internal const int LOCK_NB = 4;

    [LibraryImport(Libc, EntryPoint = "flock", SetLastError = true)]
    private static partial int FlockRaw(SafeFileHandle fd, int operation);

    /// <summary>flock(2) LOCK_EX|LOCK_NB: true when taken, false when another open file description holds it.</summary>
    internal static bool TryLockExclusive(SafeFileHandle fd, string path)
    {
        while (true)
        {
            if (FlockRaw(fd, LOCK_EX | LOCK_NB) == 0)
            {
                return true;
            }

            int errno = Marshal.GetLastPInvokeError();
            if (errno == EWOULDBLOCK)
            {
                return false;
            }

            if (errno != EINTR)
            {
                throw ErrnoException(errno, "flock", path);
            }
        }
    }
}
