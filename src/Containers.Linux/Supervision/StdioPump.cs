using System.Runtime.InteropServices;

namespace Containers.Linux.Supervision;

/// <summary>
/// Copies one output stream of a container process (the read end of a pipe whose write end the
/// process holds) to where the task's IO says: a log file the shim appends to (<c>file://</c>), or a
/// FIFO an attached host reads. The FIFO is opened read-write so it never fails for want of a reader
/// and never raises SIGPIPE. When nobody drains it and it is full, nothing is dropped and the loop
/// never blocks: the pump keeps what did not fit (at most one read, 64 KiB) and reads its pipe no
/// more until the FIFO takes it (<see cref="StdioPumpResult.Held"/>), so the process blocks in its
/// write once its pipe is full — back-pressure, as containerd's shim, whose copy blocks.
/// </summary>
internal sealed class StdioPump : IDisposable
{
    // FIONREAD: the bytes a pipe holds.
    private const ulong FIONREAD = 0x541B;
    private static readonly byte[] Buffer = new byte[65536];
    private readonly string? _fifoPath;
    private SafeFdHandle? _sink;
    private SafeFdHandle? _keptReader;
    private byte[]? _held;
    private int _heldOffset;
    private int _heldCount;
    private bool _wrote;
    private bool _ended;

    private StdioPump(SafeFdHandle source, SafeFdHandle? sink, string? fifoPath)
    {
        Source = source;
        _sink = sink;
        _fifoPath = fifoPath;
    }

    /// <summary>The read end the shim's loop watches.</summary>
    public SafeFdHandle Source { get; }

    /// <summary>The destination (a FIFO, opened read-write, or a log file); null when output is discarded or the pump ended.</summary>
    public SafeFdHandle? Sink => _sink;

    /// <summary>Whether bytes wait for the FIFO (the pipe is not read meanwhile).</summary>
    public bool IsHeld => _heldCount > 0;

    /// <summary>
    /// Whether the pump ended but keeps a read end of its FIFO open, because the FIFO still holds output
    /// nobody has read: the bytes of a pipe die with its last descriptor, and a host that attaches
    /// later reads them, then end of file (no writer is left).
    /// </summary>
    public bool KeepsOutput => _keptReader is not null;

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
            return new StdioPump(source, null, null);
        }

        (SafeFdHandle sink, string? fifoPath) = OpenSink(target);
        (SafeFdHandle read, SafeFdHandle write) = Interop.CreatePipe();
        Interop.SetNonBlocking(read.Fd, nonBlocking: true);
        processEnd = write;
        return new StdioPump(read, sink, fifoPath);
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
            return new StdioPump(source, null, null);
        }

        try
        {
            (SafeFdHandle sink, string? fifoPath) = OpenSink(target);
            return new StdioPump(source, sink, fifoPath);
        }
        catch
        {
            source.Dispose();
            throw;
        }
    }

    private static (SafeFdHandle Sink, string? FifoPath) OpenSink(string target)
    {
        bool isFile = target.StartsWith("file://", StringComparison.Ordinal);
        string path = isFile ? target["file://".Length..] : target;
        int fd = isFile
            ? Interop.Open(path, Interop.O_WRONLY | Interop.O_CREAT | 0x400 /* O_APPEND */ | Interop.O_CLOEXEC, 0x180)
            : Interop.Open(path, Interop.O_RDWR | Interop.O_NONBLOCK | Interop.O_CLOEXEC, 0);
        return (new SafeFdHandle(Interop.ThrowOnError(fd, "open", path)), isFile ? null : path);
    }

    /// <summary>
    /// Copies what the pipe holds now, until it is empty (<see cref="StdioPumpResult.Drained"/>), at its
    /// end of file (<see cref="StdioPumpResult.Ended"/>; the caller then calls <see cref="End"/>), or until
    /// the FIFO is full (<see cref="StdioPumpResult.Held"/>: the rest waits for <see cref="Flush"/>).
    /// </summary>
    public unsafe StdioPumpResult Pump()
    {
        if (_ended)
        {
            return StdioPumpResult.Ended;
        }

        if (_heldCount > 0)
        {
            return StdioPumpResult.Held;
        }

        fixed (byte* buffer = Buffer)
        {
            while (true)
            {
                nint n = Interop.Read(Source.Fd, buffer, Buffer.Length);
                if (n == 0)
                {
                    return StdioPumpResult.Ended;
                }

                if (n < 0)
                {
                    int errno = Marshal.GetLastPInvokeError();
                    return errno == Interop.EINTR || errno == Interop.EAGAIN ? StdioPumpResult.Drained : StdioPumpResult.Ended;
                }

                if (!WriteToSink(buffer, (int)n))
                {
                    return StdioPumpResult.Held;
                }
            }
        }
    }

    /// <summary>Writes what is held to the FIFO; true once nothing is held (the caller reads the pipe again).</summary>
    public unsafe bool Flush()
    {
        if (_heldCount == 0 || _sink is null)
        {
            _heldCount = 0;
            return true;
        }

        fixed (byte* held = _held)
        {
            int written = WriteSome(held + _heldOffset, _heldCount);
            _heldOffset += written;
            _heldCount -= written;
        }

        return _heldCount == 0;
    }

    /// <summary>
    /// After end of file: closes the pipe and the pump's writer of the FIFO (an attached reader reads the
    /// rest, then end of file). When the FIFO still holds output, a read end is kept open instead (see
    /// <see cref="KeepsOutput"/>) until the pump is disposed with its process.
    /// </summary>
    public unsafe void End()
    {
        _ended = true;
        _heldCount = 0;
        Source.Dispose();
        if (_sink is null)
        {
            return;
        }

        // Only a pump that wrote anything can have left bytes (the hot path, no output, pays no ioctl).
        int queued = 0;
        if (_fifoPath is not null && _wrote && Interop.Ioctl(_sink.Fd, FIONREAD, &queued) == 0 && queued > 0)
        {
            int fd = Interop.Open(_fifoPath, Interop.O_RDONLY | Interop.O_NONBLOCK | Interop.O_CLOEXEC, 0);
            if (fd >= 0)
            {
                _keptReader = new SafeFdHandle(fd);
            }
        }

        _sink.Dispose();
        _sink = null;
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

    /// <summary>Forwards <paramref name="count"/> bytes; false when the FIFO took only part of them (the rest is held).</summary>
    private unsafe bool WriteToSink(byte* buffer, int count)
    {
        if (_sink is null)
        {
            return true;
        }

        _wrote = true;
        int written = WriteSome(buffer, count);
        if (written == count)
        {
            return true;
        }

        _held ??= new byte[Buffer.Length];
        new ReadOnlySpan<byte>(buffer + written, count - written).CopyTo(_held);
        _heldOffset = 0;
        _heldCount = count - written;
        return false;
    }

    /// <summary>Writes what the sink takes now: all of it, or less when a FIFO is full (EAGAIN).</summary>
    private unsafe int WriteSome(byte* buffer, int count)
    {
        int done = 0;
        while (done < count)
        {
            nint n = Interop.Write(_sink!.Fd, buffer + done, count - done);
            if (n < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno == Interop.EINTR)
                {
                    continue;
                }

                if (errno == Interop.EAGAIN && _fifoPath is not null)
                {
                    return done;
                }

                // A failing disk (or a FIFO error other than full, which a read-write holder never
                // meets): the bytes cannot go anywhere; holding them would stall the process for good.
                return count;
            }

            done += (int)n;
        }

        return done;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Source.Dispose();
        _sink?.Dispose();
        _keptReader?.Dispose();
        _held = null;
        _heldCount = 0;
    }
}
