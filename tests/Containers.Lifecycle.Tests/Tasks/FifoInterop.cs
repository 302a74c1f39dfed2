using System.Runtime.InteropServices;

namespace Containers.Lifecycle.Tests.Tasks;

/// <summary>The libc calls the shim tests need (the BCL has no mkfifo, no non-blocking FIFO open, no poll of any fd).</summary>
internal static partial class FifoInterop
{
    public const int ORdOnly = 0x0;
    public const int OWrOnly = 0x1;
    public const int ONonBlock = 0x800;
    public const int OCloExec = 0x80000;
    public const int EAgain = 11;

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Open(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    public static unsafe partial nint Read(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    public static unsafe partial nint Write(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "mkfifo", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int MkFifo(string path, int mode);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static unsafe partial int Poll(long* fds, nuint count, int timeout);

    /// <summary>Whether <paramref name="fd"/> becomes readable within <paramref name="milliseconds"/>.</summary>
    public static unsafe bool WaitReadable(int fd, int milliseconds)
    {
        // struct pollfd { int fd; short events; short revents; } as one 8-byte word, POLLIN = 1.
        long pollFd = (uint)fd | (1L << 32);
        return Poll(&pollFd, 1, milliseconds) == 1 && ((pollFd >> 48) & 1) != 0;
    }

    /// <summary>open(2), failing the test with errno.</summary>
    public static Microsoft.Win32.SafeHandles.SafeFileHandle OpenOrFail(string path, int flags)
    {
        int fd = Open(path, flags | OCloExec, 0);
        Assert.That(fd, Is.GreaterThanOrEqualTo(0), $"open {path}: errno {Marshal.GetLastPInvokeError()}");
        return new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: true);
    }
}
