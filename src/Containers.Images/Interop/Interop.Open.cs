using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

internal static partial class Interop
{
    internal const int O_RDONLY = 0x0;
    internal const int O_RDWR = 0x2;
    internal const int O_CREAT = 0x40;
    internal const int O_DIRECTORY = 0x10000;
    internal const int O_CLOEXEC = 0x80000;

    [LibraryImport(Libc, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenRaw(string path, int flags, uint mode);

    /// <summary>
    /// open(2) without the advisory lock that .NET takes on every file it opens, so that our own
    /// flock(2) on the handle is the only lock. Throws <see cref="IOException"/> on failure except
    /// for the errnos in <paramref name="tolerated"/>, for which it returns null and sets <paramref name="errno"/>.
    /// </summary>
    internal static SafeFileHandle? Open(string path, int flags, uint mode, out int errno, params ReadOnlySpan<int> tolerated)
    {
        int fd;
        do
        {
            fd = OpenRaw(path, flags | O_CLOEXEC, mode);
            errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
        }
        while (fd < 0 && errno == EINTR);

        if (fd >= 0)
        {
            return new SafeFileHandle(fd, ownsHandle: true);
        }

        if (tolerated.Contains(errno))
        {
            return null;
        }

        throw ErrnoException(errno, "open", path);
    }

    /// <summary>Turns an errno into the exception .NET would raise for it, naming the call and path.</summary>
    internal static IOException ErrnoException(int errno, string call, string path) =>
        new($"{call} {path}: {Marshal.GetPInvokeErrorMessage(errno)}", errno);
}
