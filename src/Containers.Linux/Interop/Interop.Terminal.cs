using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal const ulong TIOCGWINSZ = 0x5413;
    internal const ulong TIOCSWINSZ = 0x5414;
    internal const int TCSANOW = 0;

    [LibraryImport(Libc, EntryPoint = "isatty")]
    internal static partial int IsATty(int fd);

    [LibraryImport(Libc, EntryPoint = "tcgetattr", SetLastError = true)]
    internal static unsafe partial int TcGetAttr(int fd, byte* termios);

    [LibraryImport(Libc, EntryPoint = "tcsetattr", SetLastError = true)]
    internal static unsafe partial int TcSetAttr(int fd, int action, byte* termios);

    [LibraryImport(Libc, EntryPoint = "cfmakeraw")]
    internal static unsafe partial void CfMakeRaw(byte* termios);

    [LibraryImport(Libc, EntryPoint = "ioctl", SetLastError = true)]
    internal static unsafe partial int Ioctl(int fd, ulong request, void* argument);

    [LibraryImport(Libc, EntryPoint = "bind", SetLastError = true)]
    internal static unsafe partial int Bind(int fd, byte* address, uint length);

    [LibraryImport(Libc, EntryPoint = "listen", SetLastError = true)]
    internal static partial int Listen(int fd, int backlog);

    [LibraryImport(Libc, EntryPoint = "accept4", SetLastError = true)]
    internal static unsafe partial int Accept4(int fd, void* address, void* length, int flags);

    [LibraryImport(Libc, EntryPoint = "recvmsg", SetLastError = true)]
    internal static unsafe partial nint RecvMsg(int fd, long* header, int flags);

    /// <summary>A listening close-on-exec unix stream socket at <paramref name="path"/>, with raw calls (no socket engine).</summary>
    /// <exception cref="Containers.Linux.LinuxErrorException">socket, bind or listen failed.</exception>
    internal static unsafe Containers.Linux.SafeFdHandle ListenUnix(string path)
    {
        byte[] encoded = System.Text.Encoding.UTF8.GetBytes(path);
        if (encoded.Length == 0 || encoded.Length > 107)
        {
            throw new Containers.Linux.LinuxErrorException("bind", 36, path);
        }

        Containers.Linux.SafeFdHandle socket = new(ThrowOnError(Socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), "socket", path));
        byte* address = stackalloc byte[110];
        new Span<byte>(address, 110).Clear();
        *(ushort*)address = AF_UNIX;
        encoded.CopyTo(new Span<byte>(address + 2, 108));
        if (Bind(socket.Fd, address, (uint)(2 + encoded.Length + 1)) < 0 || Listen(socket.Fd, 1) < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            socket.Dispose();
            throw new Containers.Linux.LinuxErrorException("bind", errno, path);
        }

        return socket;
    }

    /// <summary>Accepts one connection and receives one SCM_RIGHTS fd (runc's console-socket message).</summary>
    /// <exception cref="Containers.Linux.LinuxErrorException">accept or recvmsg failed, or no fd came.</exception>
    internal static unsafe Containers.Linux.SafeFdHandle ReceiveFd(Containers.Linux.SafeFdHandle listener)
    {
        int connection;
        do
        {
            connection = Accept4(listener.Fd, null, null, SOCK_CLOEXEC);
        }
        while (connection < 0 && Marshal.GetLastPInvokeError() == EINTR);
        using Containers.Linux.SafeFdHandle accepted = new(ThrowOnError(connection, "accept4"));
        byte* body = stackalloc byte[4096];
        long* control = stackalloc long[8];
        long* iov = stackalloc long[2];
        iov[0] = (long)body;
        iov[1] = 4096;
        long* header = stackalloc long[7];
        new Span<long>(header, 7).Clear();
        header[2] = (long)iov;
        header[3] = 1;
        header[4] = (long)control;
        header[5] = 64;
        nint received;
        do
        {
            received = RecvMsg(accepted.Fd, header, 0x40000000);
        }
        while (received < 0 && Marshal.GetLastPInvokeError() == EINTR);
        ThrowOnError((long)received, "recvmsg");
        if (header[5] < 20 || ((int*)control)[2] != 1 || ((int*)control)[3] != 1)
        {
            throw new Containers.Linux.LinuxErrorException("recvmsg", EINVAL, "no descriptor in the console message");
        }

        return new Containers.Linux.SafeFdHandle(((int*)control)[4]);
    }
}
