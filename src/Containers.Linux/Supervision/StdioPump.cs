using System.Runtime.InteropServices;

namespace Containers.Linux.Supervision;

/// <summary>
/// Copies one output stream of a container process (the read end of a pipe whose write end the
/// process holds) to where the task's IO says: a log file the shim appends to (<c>file://</c>), or a
/// FIFO an attached host reads. The FIFO is opened read-write so it never fails for want of a reader
/// and never raises SIGPIPE; when nobody drains it and it is full, output is dropped rather than
/// blocking the shim's loop (log-file mode loses nothing).
/// </summary>
internal sealed class StdioPump : IDisposable
{
    private static readonly byte[] Buffer = new byte[65536];
    private readonly SafeFdHandle? _sink;

    private StdioPump(SafeFdHandle source, SafeFdHandle? sink, bool sinkIsFifo)
    {
        Source = source;
        _sink = sink;
        SinkIsFifo = sinkIsFifo;
    }

    /// <summary>The read end the shim's loop watches.</summary>
    public SafeFdHandle Source { get; }

    /// <summary>Whether the destination is a FIFO (else a log file or nothing).</summary>
    public bool SinkIsFifo { get; }

    /// <summary>Bytes dropped because an unread FIFO was full.</summary>
    public long Dropped { get; private set; }

    /// <summary>
    /// Opens the destination of <paramref name="target"/> (<see langword="null"/>: discard) and a pipe;
    /// the caller gives <paramref name="processEnd"/> to the process.
    /// </summary>
    /// <exception cref="LinuxErrorException">The destination cannot be opened.</exception>
    public static StdioPump Open(string? target, out SafeFdHandle processEnd)
    {
        if (target is null)
        {
            (SafeFdHandle source, processEnd) = Interop.CreatePipe();
            Interop.SetNonBlocking(source.Fd, nonBlocking: true);
            return new StdioPump(source, null, false);
        }

        (SafeFdHandle sink, bool isFifo) = OpenSink(target);
        (SafeFdHandle read, SafeFdHandle write) = Interop.CreatePipe();
        Interop.SetNonBlocking(read.Fd, nonBlocking: true);
        processEnd = write;
        return new StdioPump(read, sink, isFifo);
    }

    /// <summary>
    /// A pump from a source the caller made (a duplicate of a pty master, which reads EIO once the
    /// terminal's last slave closes) to <paramref name="target"/>; takes ownership of <paramref name="source"/>.
    /// </summary>
    /// <exception cref="LinuxErrorException">The destination cannot be opened.</exception>
    public static StdioPump FromSource(SafeFdHandle source, string? target)
    {
        Interop.SetNonBlocking(source.Fd, nonBlocking: true);
        if (target is null)
        {
            return new StdioPump(source, null, false);
        }

        try
        {
            (SafeFdHandle sink, bool isFifo) = OpenSink(target);
            return new StdioPump(source, sink, isFifo);
        }
        catch
        {
            source.Dispose();
            throw;
        }
    }

    private static (SafeFdHandle Sink, bool IsFifo) OpenSink(string target)
    {
        bool isFile = target.StartsWith("file://", StringComparison.Ordinal);
        string path = isFile ? target["file://".Length..] : target;
        int fd = isFile
            ? Interop.Open(path, Interop.O_WRONLY | Interop.O_CREAT | 0x400 /* O_APPEND */ | Interop.O_CLOEXEC, 0x180)
            : Interop.Open(path, Interop.O_RDWR | Interop.O_NONBLOCK | Interop.O_CLOEXEC, 0);
        return (new SafeFdHandle(Interop.ThrowOnError(fd, "open", path)), !isFile);
    }

    /// <summary>Copies what the pipe holds now; false at end of file (every writer closed).</summary>
    public unsafe bool Pump()
    {
        fixed (byte* buffer = Buffer)
        {
            while (true)
            {
                nint n = Interop.Read(Source.Fd, buffer, Buffer.Length);
                if (n == 0)
                {
                    return false;
                }

                if (n < 0)
                {
                    int errno = Marshal.GetLastPInvokeError();
                    return errno == Interop.EINTR || errno == Interop.EAGAIN;
                }

                WriteToSink(buffer, (int)n);
            }
        }
    }

    /// <summary>Reads what the pipe holds now without forwarding it (a failed create's runtime message).</summary>
    public unsafe string ReadAvailable()
    {
        fixed (byte* buffer = Buffer)
        {
            nint n = Interop.Read(Source.Fd, buffer, Buffer.Length);
            return n > 0 ? System.Text.Encoding.UTF8.GetString(buffer, (int)n).Trim() : string.Empty;
        }
    }

    private unsafe void WriteToSink(byte* buffer, int count)
    {
        if (_sink is null)
        {
            return;
        }

        int done = 0;
        while (done < count)
        {
            nint n = Interop.Write(_sink.Fd, buffer + done, count - done);
            if (n < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno == Interop.EINTR)
                {
                    continue;
                }

                // A full FIFO nobody reads, or a failing disk: drop rather than stall every task.
                Dropped += count - done;
                return;
            }

            done += (int)n;
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Source.Dispose();
        _sink?.Dispose();
    }
}
