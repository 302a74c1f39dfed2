using System.Runtime.InteropServices;
using Containers.Linux;

namespace Containers.Runc.Commands;

/// <summary>
/// <c>runcs run</c> in the foreground with process.terminal and no --console-socket, as runc does
/// it: runcs is its own console-socket receiver, puts its terminal in raw mode, gives the pty the
/// terminal's size, and copies bytes both ways until the container's terminal closes. Window-size
/// changes of runcs's terminal (SIGWINCH) are passed on to the pty, which signals the container.
/// </summary>
internal sealed unsafe class TerminalProxy : IDisposable
{
    private readonly string _directory;
    private readonly SafeFdHandle _listener;
    private readonly byte[] _saved = new byte[64];
    private SafeFdHandle? _master;
    private bool _raw;
    private Thread? _output;
    private PosixSignalRegistration? _windowChanges;

    private TerminalProxy(string directory)
    {
        _directory = directory;
        SocketPath = Path.Combine(directory, "console.sock");
        _listener = Interop.ListenUnix(SocketPath);
    }

    /// <summary>The socket path handed to the spawner.</summary>
    public string SocketPath { get; }

    /// <summary>Listens on a socket in a new 0700 directory.</summary>
    /// <exception cref="UnsupportedException">stdin is not a terminal.</exception>
    public static TerminalProxy Listen()
    {
        if (Interop.IsATty(0) != 1)
        {
            throw new UnsupportedException("process.terminal: runcs run in the foreground needs its stdin to be a terminal; use create or run -d with --console-socket, or set process.terminal to false");
        }

        return new TerminalProxy(Directory.CreateTempSubdirectory("runcs-console-").FullName);
    }

    /// <summary>Receives the master (the child sent it before it finished setting up) and sizes the pty.</summary>
    public void Receive()
    {
        _master = Interop.ReceiveFd(_listener);
        CopyWindowSize(_master);
    }

    /// <summary>Gives the pty the size of runcs's terminal; the kernel sends SIGWINCH to the container when it changes.</summary>
    private static void CopyWindowSize(SafeFdHandle master)
    {
        ushort* size = stackalloc ushort[4];
        if (Interop.Ioctl(0, Interop.TIOCGWINSZ, size) == 0)
        {
            Interop.Ioctl(master.Fd, Interop.TIOCSWINSZ, size);
        }
    }

    /// <summary>Raw mode and the two copy loops; call after the clone (threads are allowed then).</summary>
    public void Start()
    {
        SafeFdHandle master = _master ?? throw new InvalidOperationException("Receive first");
        fixed (byte* termios = _saved)
        {
            if (Interop.TcGetAttr(0, termios) == 0)
            {
                byte* raw = stackalloc byte[64];
                new Span<byte>(termios, 64).CopyTo(new Span<byte>(raw, 64));
                Interop.CfMakeRaw(raw);
                _raw = Interop.TcSetAttr(0, Interop.TCSANOW, raw) == 0;
            }
        }

        // A signal handler means a signal thread, which may exist only after the clone (as the copy threads). A
        // resize between Receive and here has no handler to see it, so the size is copied once more after registering.
        _windowChanges = PosixSignalRegistration.Create(PosixSignal.SIGWINCH, _ => CopyWindowSize(master));
        CopyWindowSize(master);
        Thread input = new(() => Copy(0, master.Fd)) { IsBackground = true, Name = "runcs tty in" };
        _output = new Thread(() => Copy(master.Fd, 1)) { IsBackground = true, Name = "runcs tty out" };
        input.Start();
        _output.Start();
    }

    /// <summary>Waits (bounded) for the output loop to drain what the container wrote last.</summary>
    public void Drain() => _output?.Join(TimeSpan.FromSeconds(5));

    /// <summary>Restores the terminal and removes the socket.</summary>
    public void Dispose()
    {
        _windowChanges?.Dispose();
        if (_raw)
        {
            fixed (byte* termios = _saved)
            {
                Interop.TcSetAttr(0, Interop.TCSANOW, termios);
            }
        }

        _listener.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private static void Copy(int from, int to)
    {
        byte* buffer = stackalloc byte[4096];
        while (true)
        {
            nint n = Interop.Read(from, buffer, 4096);
            if (n <= 0)
            {
                // EIO on the master once every holder of the slave closed it: the container ended.
                return;
            }

            for (nint done = 0; done < n;)
            {
                nint written = Interop.Write(to, buffer + done, n - done);
                if (written <= 0)
                {
                    return;
                }

                done += written;
            }
        }
    }
}
