using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal const int SOCK_DGRAM = 2;

    /// <summary>A close-on-exec unix datagram socket bound to <paramref name="path"/> (sd_notify's receiving end).</summary>
    /// <exception cref="Containers.Linux.LinuxErrorException">socket or bind failed, or the path is too long.</exception>
    internal static Containers.Linux.SafeFdHandle BindUnixDatagram(string path) => UnixDatagram(path, bind: true);

    /// <summary>A close-on-exec unix datagram socket connected to <paramref name="path"/> (sd_notify's sending end).</summary>
    /// <exception cref="Containers.Linux.LinuxErrorException">socket or connect failed, or the path is too long.</exception>
    internal static Containers.Linux.SafeFdHandle ConnectUnixDatagram(string path) => UnixDatagram(path, bind: false);

    private static unsafe Containers.Linux.SafeFdHandle UnixDatagram(string path, bool bind)
    {
        byte* address = stackalloc byte[110];
        uint length = UnixAddress(path, address);
        Containers.Linux.SafeFdHandle socket = new(ThrowOnError(Socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0), "socket", path));
        if ((bind ? Bind(socket.Fd, address, length) : Connect(socket.Fd, address, length)) < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            socket.Dispose();
            throw new Containers.Linux.LinuxErrorException(bind ? "bind" : "connect", errno, path);
        }

        return socket;
    }

    /// <summary>Fills a sockaddr_un (110 bytes) for a path, or an abstract name written with a leading '@' as systemd does.</summary>
    private static unsafe uint UnixAddress(string path, byte* address)
    {
        byte[] encoded = System.Text.Encoding.UTF8.GetBytes(path);
        if (encoded.Length == 0 || encoded.Length > 107)
        {
            throw new Containers.Linux.LinuxErrorException("bind", 36 /* ENAMETOOLONG */, path);
        }

        new Span<byte>(address, 110).Clear();
        *(ushort*)address = AF_UNIX;
        encoded.CopyTo(new Span<byte>(address + 2, 108));
        if (encoded[0] == (byte)'@')
        {
            // An abstract socket: no trailing NUL in the length.
            address[2] = 0;
            return (uint)(2 + encoded.Length);
        }

        return (uint)(2 + encoded.Length + 1);
    }
}
