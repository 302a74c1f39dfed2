using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Containers.Lifecycle;

/// <summary>FIFOs for task stdio: mkfifo, non-blocking open, poll, read and write on raw descriptors.</summary>
internal static partial class Interop
{
    internal const int O_WRONLY = 1;
    internal const int O_RDWR = 2;
    internal const int O_NONBLOCK = 0x800;
    internal const int EAGAIN = 11;
    internal const int EEXIST = 17;
    internal const short POLLIN = 0x1;
    internal const short POLLOUT = 0x4;
    internal const short POLLERR = 0x8;
    internal const short POLLHUP = 0x10;

    [StructLayout(LayoutKind.Sequential)]
    internal struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport(Libc, EntryPoint = "mkfifo", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MkFifoNative(string path, uint mode);

    [LibraryImport(Libc, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenNative(string path, int flags, uint mode);

    [LibraryImport(Libc, EntryPoint = "poll", SetLastError = true)]
    private static unsafe partial int PollNative(PollFd* fds, nuint count, int timeout);

    [LibraryImport(Libc, EntryPoint = "read", SetLastError = true)]
    private static unsafe partial nint ReadNative(SafeFileHandle fd, byte* buffer, nuint count);

    [LibraryImport(Libc, EntryPoint = "write", SetLastError = true)]
    private static unsafe partial nint WriteNative(SafeFileHandle fd, byte* buffer, nuint count);

    /// <summary>Creates a FIFO (0600).</summary>
    /// <exception cref="IOException">mkfifo failed.</exception>
    internal static void MakeFifo(string path)
    {
        if (MkFifoNative(path, 0x180) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new IOException($"mkfifo {path}: {Marshal.GetPInvokeErrorMessage(errno)}", errno);
        }
    }

    /// <summary>Opens a path with open(2) flags (O_CLOEXEC is added).</summary>
    /// <exception cref="IOException">open failed.</exception>
    internal static SafeFileHandle Open(string path, int flags)
        => TryOpen(path, flags, out int errno) ?? throw new IOException($"open {path}: {Marshal.GetPInvokeErrorMessage(errno)}", errno);

    /// <summary>open(2) with O_CLOEXEC, retried on EINTR; null with <paramref name="errno"/> set when it fails (no exception to throw and catch).</summary>
    internal static SafeFileHandle? TryOpen(string path, int flags, out int errno)
    {
        int fd;
        do
        {
            fd = OpenNative(path, flags | O_CLOEXEC, 0);
            errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
        }
        while (fd < 0 && errno == EINTR);

        return fd >= 0 ? new SafeFileHandle(fd, ownsHandle: true) : null;
    }

    /// <summary>Waits up to <paramref name="timeoutMilliseconds"/> for <paramref name="events"/> (or hang-up, error); returns the revents (0 on timeout).</summary>
    internal static unsafe short Poll(SafeFileHandle fd, short events, int timeoutMilliseconds)
    {
        bool added = false;
        fd.DangerousAddRef(ref added);
        try
        {
            PollFd entry = new() { Fd = (int)fd.DangerousGetHandle(), Events = events };
            int n = PollNative(&entry, 1, timeoutMilliseconds);
            return n > 0 ? entry.Revents : (short)0;
        }
        finally
        {
            if (added)
            {
                fd.DangerousRelease();
            }
        }
    }

    /// <summary>read(2): the count, 0 at end of file, or -errno.</summary>
    internal static unsafe nint Read(SafeFileHandle fd, Span<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            nint n = ReadNative(fd, p, (nuint)buffer.Length);
            return n >= 0 ? n : -Marshal.GetLastPInvokeError();
        }
    }

    /// <summary>write(2): the count written, or -errno.</summary>
    internal static unsafe nint Write(SafeFileHandle fd, ReadOnlySpan<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            nint n = WriteNative(fd, p, (nuint)buffer.Length);
            return n >= 0 ? n : -Marshal.GetLastPInvokeError();
        }
    }
}
