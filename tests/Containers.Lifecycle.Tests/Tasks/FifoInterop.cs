using System.Runtime.InteropServices;

namespace Containers.Lifecycle.Tests.Tasks;

/// <summary>The libc calls the FIFO tests need (the BCL has no mkfifo and no non-blocking FIFO open).</summary>
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

    /// <summary>open(2), failing the test with errno.</summary>
    public static Microsoft.Win32.SafeHandles.SafeFileHandle OpenOrFail(string path, int flags)
    {
        int fd = Open(path, flags | OCloExec, 0);
        Assert.That(fd, Is.GreaterThanOrEqualTo(0), $"open {path}: errno {Marshal.GetLastPInvokeError()}");
        return new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: true);
    }
}
