using System.Runtime.InteropServices;
using Containers.Client;
using Containers.Oci.Runtime;
using Microsoft.Win32.SafeHandles;

namespace Containers.Samples.Ctrs;

/// <summary>
/// This process's terminal while a container's terminal is connected to it, as <c>ctr run -t</c> does:
/// raw mode on stdin when stdin is a terminal (restored on dispose), the container's pty given this
/// terminal's size, and SIGWINCH forwarded as a resize. Streams are this process's fds 0 and 1 read
/// and written directly, not <see cref="Console"/>'s (which would edit input lines itself).
/// </summary>
internal sealed partial class HostTerminal : IAsyncDisposable
{
    private const int StdinFd = 0;
    private const int StdoutFd = 1;
    private const int TCSANOW = 0;
    private const ulong TIOCGWINSZ = 0x5413;
    private readonly byte[]? _saved;
    private PosixSignalRegistration? _winch;

    private HostTerminal(byte[]? saved)
    {
        _saved = saved;
        Stdin = new FileStream(new SafeFileHandle(StdinFd, ownsHandle: false), FileAccess.Read, 1);
        Stdout = new FileStream(new SafeFileHandle(StdoutFd, ownsHandle: false), FileAccess.Write, 1);
    }

    /// <summary>This process's stdin (fd 0), unbuffered.</summary>
    public Stream Stdin { get; }

    /// <summary>This process's stdout (fd 1), unbuffered.</summary>
    public Stream Stdout { get; }

    /// <summary>Puts stdin in raw mode if it is a terminal (keys go to the container as typed, Ctrl-C included).</summary>
    public static HostTerminal Open()
    {
        byte[]? saved = null;
        if (IsATty(StdinFd) == 1)
        {
            saved = new byte[128]; // struct termios is 60 bytes on Linux; room to spare
            if (TcGetAttr(StdinFd, saved) != 0)
            {
                throw new IOException($"tcgetattr(stdin): errno {Marshal.GetLastPInvokeError()}");
            }

            byte[] raw = (byte[])saved.Clone();
            CfMakeRaw(raw);
            if (TcSetAttr(StdinFd, TCSANOW, raw) != 0)
            {
                throw new IOException($"tcsetattr(stdin): errno {Marshal.GetLastPInvokeError()}");
            }
        }

        return new HostTerminal(saved);
    }

    /// <summary>
    /// Gives <paramref name="process"/>'s pty this terminal's size now and on every SIGWINCH, when stdin
    /// or stdout is a terminal with a size (a 0×0 pty, as <c>script</c> makes without one, is not forwarded).
    /// </summary>
    public async Task ForwardSizeAsync(TaskProcess process, CancellationToken cancellationToken)
    {
        // The handler first: a resize between the first size and the registration is not lost.
        _winch = PosixSignalRegistration.Create(PosixSignal.SIGWINCH, context =>
        {
            context.Cancel = true;
            _ = Task.Run(async () =>
            {
                try
                {
                    await ResizeAsync(process, CancellationToken.None);
                }
                catch (Exception ex) when (ex is ContainersException or IOException)
                {
                    // The process ended meanwhile: there is nothing to resize.
                }
            }, CancellationToken.None);
        });
        await ResizeAsync(process, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        _winch?.Dispose();
        if (_saved is not null)
        {
            _ = TcSetAttr(StdinFd, TCSANOW, _saved);
        }

        await Stdin.DisposeAsync();
        await Stdout.DisposeAsync();
    }

    /// <summary>The size of this process's terminal (stdin's, else stdout's), or <see langword="null"/> when neither is a terminal with a size.</summary>
    public static ConsoleSize? CurrentSize()
    {
        foreach (int fd in (int[])[StdinFd, StdoutFd])
        {
            WinSize size = default;
            if (IsATty(fd) == 1 && IoctlWinSize(fd, TIOCGWINSZ, ref size) == 0 && size.Columns > 0 && size.Rows > 0)
            {
                return new ConsoleSize { Width = size.Columns, Height = size.Rows };
            }
        }

        return null;
    }

    private static async Task ResizeAsync(TaskProcess process, CancellationToken cancellationToken)
    {
        if (CurrentSize() is { } size)
        {
            await process.ResizeAsync((int)size.Width, (int)size.Height, cancellationToken);
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct WinSize
    {
        public ushort Rows;
        public ushort Columns;
        public ushort XPixels;
        public ushort YPixels;
    }

    [LibraryImport("libc", EntryPoint = "isatty")]
    private static partial int IsATty(int fd);

    [LibraryImport("libc", EntryPoint = "tcgetattr", SetLastError = true)]
    private static partial int TcGetAttr(int fd, [Out] byte[] termios);

    [LibraryImport("libc", EntryPoint = "tcsetattr", SetLastError = true)]
    private static partial int TcSetAttr(int fd, int action, byte[] termios);

    [LibraryImport("libc", EntryPoint = "cfmakeraw")]
    private static partial void CfMakeRaw([In, Out] byte[] termios);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int IoctlWinSize(int fd, ulong request, ref WinSize size);
}
