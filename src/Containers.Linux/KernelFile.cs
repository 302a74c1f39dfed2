using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;

namespace Containers.Linux;

/// <summary>
/// Reads and writes the small files of /proc, /sys and cgroupfs with plain open/read/write/close.
/// The .NET file APIs add an fstat or fstatfs, two flock calls, an ftruncate and an lseek around each
/// one, and read a zero-sized /proc file through a StreamReader with its buffers; runcs touches some
/// forty such files on every run, so those extra system calls and allocations were a measurable part
/// of its start-up (benchmarks/README.md). Errors are the exceptions File.ReadAllText throws, so callers
/// that catch <see cref="IOException"/> keep working.
/// </summary>
internal static class KernelFile
{
    /// <summary>The whole file as UTF-8 text.</summary>
    /// <exception cref="FileNotFoundException">The file or a directory on its path does not exist.</exception>
    /// <exception cref="UnauthorizedAccessException">Permission denied.</exception>
    /// <exception cref="IOException">Any other error.</exception>
    public static string ReadAllText(string path)
        => TryReadAllText(path) ?? throw new FileNotFoundException($"Could not find file '{path}'.", path);

    /// <summary>The whole file as UTF-8 text, or null when it (or a directory on its path) does not exist.</summary>
    /// <exception cref="UnauthorizedAccessException">Permission denied.</exception>
    /// <exception cref="IOException">Any other error.</exception>
    public static unsafe string? TryReadAllText(string path)
    {
        int fd = Interop.Open(path, Interop.O_RDONLY | Interop.O_CLOEXEC, 0);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            return errno is Interop.ENOENT or Interop.ENOTDIR ? null : throw Error(path, errno);
        }

        byte[] buffer = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            int length = 0;
            while (true)
            {
                if (length == buffer.Length)
                {
                    byte[] larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                nint n;
                fixed (byte* start = buffer)
                {
                    n = Interop.Read(fd, start + length, buffer.Length - length);
                }

                if (n == 0)
                {
                    return Encoding.UTF8.GetString(buffer, 0, length);
                }

                if (n < 0)
                {
                    int errno = Marshal.GetLastPInvokeError();
                    if (errno != Interop.EINTR)
                    {
                        throw Error(path, errno);
                    }

                    continue;
                }

                length += (int)n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            _ = Interop.Close(fd);
        }
    }

    /// <summary>
    /// Writes <paramref name="value"/> to an existing file (opened O_TRUNC, never created) in one write(2):
    /// a cgroup control file takes one value per write.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="UnauthorizedAccessException">Permission denied.</exception>
    /// <exception cref="IOException">The kernel refused the value, or the write was short.</exception>
    public static unsafe void WriteExisting(string path, ReadOnlySpan<byte> value)
    {
        int fd = Interop.Open(path, Interop.O_WRONLY | Interop.O_TRUNC | Interop.O_CLOEXEC, 0);
        if (fd < 0)
        {
            throw Error(path, Marshal.GetLastPInvokeError());
        }

        try
        {
            nint n;
            fixed (byte* start = value)
            {
                do
                {
                    n = Interop.Write(fd, start, value.Length);
                }
                while (n < 0 && Marshal.GetLastPInvokeError() == Interop.EINTR);
            }

            if (n < 0)
            {
                throw Error(path, Marshal.GetLastPInvokeError());
            }

            if (n != value.Length)
            {
                throw new IOException($"short write to '{path}': {n} of {value.Length} bytes");
            }
        }
        finally
        {
            _ = Interop.Close(fd);
        }
    }

    /// <summary>The exception File.ReadAllText would throw for <paramref name="errno"/>.</summary>
    internal static Exception Error(string path, int errno)
    {
        string message = $"{Marshal.GetPInvokeErrorMessage(errno)} : '{path}'";
        return errno switch
        {
            Interop.ENOENT or Interop.ENOTDIR => new FileNotFoundException(message, path),
            Interop.EACCES or Interop.EPERM => new UnauthorizedAccessException(message),
            _ => new IOException(message, errno),
        };
    }
}
