using System.Runtime.InteropServices;

namespace Containers.Linux.Supervision;

/// <summary>
/// Copies a task's stdin FIFO into the process: the write end of the process's stdin pipe, or the
/// pty master. The shim opens the FIFO read-write, so a host that goes away (or closes its writer)
/// does not end the process's input and a new host can open the FIFO again and go on writing;
/// end-of-input is explicit, as containerd's CloseIO: the shim closes the process's end. When the
/// process does not read, the bytes stay in the FIFO (the host's writes block or fail with EAGAIN)
/// rather than in the shim: at most one buffer is held here.
/// </summary>
internal sealed class StdinPump : IDisposable
{
    private readonly byte[] _buffer = new byte[16384];
    private int _offset;
    private int _count;

    private StdinPump(SafeFdHandle fifo, SafeFdHandle destination)
    {
        Fifo = fifo;
        Destination = destination;
    }

    /// <summary>The FIFO the host writes, opened O_RDWR|O_NONBLOCK.</summary>
    public SafeFdHandle Fifo { get; }

    /// <summary>The process's end (non-blocking): the stdin pipe's write end or a duplicate of the pty master.</summary>
    public SafeFdHandle Destination { get; }

    /// <summary>Set by CloseIO while bytes are still held: close once they are delivered.</summary>
    public bool CloseRequested { get; set; }

    /// <summary>Opens <paramref name="fifo"/> and takes ownership of <paramref name="destination"/>.</summary>
    /// <exception cref="LinuxErrorException">The FIFO cannot be opened.</exception>
    public static StdinPump Open(string fifo, SafeFdHandle destination)
    {
        int fd = Interop.Open(fifo, Interop.O_RDWR | Interop.O_NONBLOCK | Interop.O_CLOEXEC, 0);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            destination.Dispose();
            throw new LinuxErrorException("open", errno, fifo);
        }

        Interop.SetNonBlocking(destination.Fd, nonBlocking: true);
        return new StdinPump(new SafeFdHandle(fd), destination);
    }

    /// <summary>Delivers held bytes, then copies what the FIFO holds now.</summary>
    public unsafe StdinPumpResult Forward()
    {
        StdinPumpResult result = Flush();
        while (result == StdinPumpResult.Drained)
        {
            nint n;
            fixed (byte* buffer = _buffer)
            {
                n = Interop.Read(Fifo.Fd, buffer, _buffer.Length);
            }

            if (n < 0 && Marshal.GetLastPInvokeError() == Interop.EINTR)
            {
                continue;
            }

            if (n <= 0)
            {
                // EAGAIN: empty for now (0 cannot happen: the shim itself holds a writer).
                return StdinPumpResult.Drained;
            }

            _offset = 0;
            _count = (int)n;
            result = Flush();
        }

        return result;
    }

    /// <summary>Writes the held bytes to the process's end.</summary>
    public unsafe StdinPumpResult Flush()
    {
        while (_offset < _count)
        {
            nint n;
            fixed (byte* buffer = _buffer)
            {
                n = Interop.Write(Destination.Fd, buffer + _offset, _count - _offset);
            }

            if (n < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno == Interop.EINTR)
                {
                    continue;
                }

                return errno == Interop.EAGAIN ? StdinPumpResult.Blocked : StdinPumpResult.Broken;
            }

            _offset += (int)n;
        }

        _offset = _count = 0;
        return StdinPumpResult.Drained;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Fifo.Dispose();
        Destination.Dispose();
    }
}
