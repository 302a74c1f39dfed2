using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal const int AF_UNIX = 1;
    internal const int SOCK_STREAM = 1;
    internal const int SOCK_CLOEXEC = 0x80000;

    [LibraryImport(Libc, EntryPoint = "socket", SetLastError = true)]
    internal static partial int Socket(int domain, int type, int protocol);

    [LibraryImport(Libc, EntryPoint = "connect", SetLastError = true)]
    internal static unsafe partial int Connect(int fd, byte* address, uint length);

    /// <summary>
    /// Connects a close-on-exec stream socket to a unix socket path, without System.Net.Sockets:
    /// the spawner must not start the runtime's socket engine threads before it clones.
    /// </summary>
    /// <exception cref="Containers.Linux.LinuxErrorException">socket or connect failed.</exception>
    /// <exception cref="Containers.InvalidSpecException">The path does not fit in sockaddr_un.</exception>
    internal static unsafe Containers.Linux.SafeFdHandle ConnectUnix(string path, string field)
    {
        byte[] encoded = System.Text.Encoding.UTF8.GetBytes(path);
        if (encoded.Length == 0 || encoded.Length > 107 || encoded.Contains((byte)0))
        {
            throw new Containers.InvalidSpecException(field, $"\"{path}\" is not a usable unix socket path (at most 107 bytes)");
        }

        Containers.Linux.SafeFdHandle socket = new(ThrowOnError(Socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), "socket", path));
        byte* address = stackalloc byte[110];
        new Span<byte>(address, 110).Clear();
        *(ushort*)address = AF_UNIX;
        encoded.CopyTo(new Span<byte>(address + 2, 108));
        int result;
        do
        {
            result = Connect(socket.Fd, address, (uint)(2 + encoded.Length + 1));
        }
        while (result < 0 && Marshal.GetLastPInvokeError() == EINTR);
        if (result < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            socket.Dispose();
            throw new Containers.Linux.LinuxErrorException("connect", errno, path);
        }

        return socket;
    }
}
