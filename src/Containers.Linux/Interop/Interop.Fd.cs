using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal const int O_RDONLY = 0x0;
    internal const int O_WRONLY = 0x1;
    internal const int O_RDWR = 0x2;
    internal const int O_CREAT = 0x40;
    internal const int O_EXCL = 0x80;
    internal const int O_NONBLOCK = 0x800;
    internal const int O_DIRECTORY = 0x10000;
    internal const int O_NOFOLLOW = 0x20000;
    internal const int O_CLOEXEC = 0x80000;
    internal const int O_PATH = 0x200000;
    internal const int AT_FDCWD = -100;

    [LibraryImport(Libc, EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int Open(string path, int flags, int mode);

    [LibraryImport(Libc, EntryPoint = "close", SetLastError = true)]
    internal static partial int Close(int fd);

    [LibraryImport(Libc, EntryPoint = "read", SetLastError = true)]
    internal static unsafe partial nint Read(int fd, byte* buffer, nint count);

    [LibraryImport(Libc, EntryPoint = "write", SetLastError = true)]
    internal static unsafe partial nint Write(int fd, byte* buffer, nint count);

    [LibraryImport(Libc, EntryPoint = "pipe2", SetLastError = true)]
    internal static unsafe partial int Pipe2(int* fds, int flags);

    [LibraryImport(Libc, EntryPoint = "mkfifo", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int MkFifo(string path, int mode);

    /// <summary>Creates a close-on-exec pipe as two owned handles.</summary>
    internal static unsafe (Containers.Linux.SafeFdHandle Read, Containers.Linux.SafeFdHandle Write) CreatePipe()
    {
        int* fds = stackalloc int[2];
        ThrowOnError(Pipe2(fds, O_CLOEXEC), "pipe2");
        return (new Containers.Linux.SafeFdHandle(fds[0]), new Containers.Linux.SafeFdHandle(fds[1]));
    }

    /// <summary>Reads until <paramref name="buffer"/> is full or end of file; retries EINTR.</summary>
    internal static unsafe int ReadFully(int fd, Span<byte> buffer)
    {
        int total = 0;
        fixed (byte* start = buffer)
        {
            while (total < buffer.Length)
            {
                nint n = Read(fd, start + total, buffer.Length - total);
                if (n == 0)
                {
                    break;
                }

                if (n < 0)
                {
                    int errno = Marshal.GetLastPInvokeError();
                    if (errno == EINTR)
                    {
                        continue;
                    }

                    throw new Containers.Linux.LinuxErrorException("read", errno);
                }

                total += (int)n;
            }
        }

        return total;
    }

    /// <summary>Writes all of <paramref name="buffer"/>; retries EINTR and short writes.</summary>
    internal static unsafe void WriteFully(int fd, ReadOnlySpan<byte> buffer)
    {
        fixed (byte* start = buffer)
        {
            int done = 0;
            while (done < buffer.Length)
            {
                nint n = Write(fd, start + done, buffer.Length - done);
                if (n < 0)
                {
                    int errno = Marshal.GetLastPInvokeError();
                    if (errno == EINTR)
                    {
                        continue;
                    }

                    throw new Containers.Linux.LinuxErrorException("write", errno);
                }

                done += (int)n;
            }
        }
    }
}
