using System.Runtime.InteropServices;

internal static partial class Interop
{
    internal const int SOL_SOCKET = 1;
    internal const int SO_PEERCRED = 17;
    internal const int MSG_NOSIGNAL = 0x4000;
    internal const int F_GETFL = 3;
    internal const int F_SETFL = 4;

    [LibraryImport(Libc, EntryPoint = "getsockopt", SetLastError = true)]
    internal static unsafe partial int GetSockOpt(int fd, int level, int name, void* value, uint* length);

    [LibraryImport(Libc, EntryPoint = "send", SetLastError = true)]
    internal static unsafe partial nint Send(int fd, byte* buffer, nint length, int flags);

    [LibraryImport(Libc, EntryPoint = "geteuid")]
    internal static partial uint GetEUid();

    [LibraryImport(Libc, EntryPoint = "fcntl", SetLastError = true)]
    internal static partial int Fcntl(int fd, int command, int argument);

    /// <summary>The uid of the process at the other end of a connected unix socket (SO_PEERCRED), or -1.</summary>
    internal static unsafe long PeerUid(int fd)
    {
        // struct ucred { pid_t pid; uid_t uid; gid_t gid; }
        int* credentials = stackalloc int[3];
        uint length = 12;
        return GetSockOpt(fd, SOL_SOCKET, SO_PEERCRED, credentials, &length) == 0 ? (uint)credentials[1] : -1;
    }

    /// <summary>A close-on-exec duplicate of <paramref name="fd"/> (the same open file description).</summary>
    /// <exception cref="Containers.Linux.LinuxErrorException">fcntl failed.</exception>
    internal static Containers.Linux.SafeFdHandle Duplicate(int fd)
        => new(ThrowOnError(Fcntl(fd, F_DUPFD_CLOEXEC, 0), "fcntl", $"F_DUPFD_CLOEXEC fd {fd}"));

    /// <summary>Switches <paramref name="fd"/> to non-blocking mode.</summary>
    /// <exception cref="Containers.Linux.LinuxErrorException">fcntl failed.</exception>
    internal static void SetNonBlocking(int fd, bool nonBlocking)
    {
        int flags = ThrowOnError(Fcntl(fd, F_GETFL, 0), "fcntl", $"fd {fd}");
        flags = nonBlocking ? flags | O_NONBLOCK : flags & ~O_NONBLOCK;
        ThrowOnError(Fcntl(fd, F_SETFL, flags), "fcntl", $"fd {fd}");
    }

    /// <summary>Sends all of <paramref name="buffer"/> without raising SIGPIPE; false when the peer is gone.</summary>
    internal static unsafe bool SendFully(int fd, ReadOnlySpan<byte> buffer)
    {
        fixed (byte* start = buffer)
        {
            int offset = 0;
            while (offset < buffer.Length)
            {
                nint sent = Send(fd, start + offset, buffer.Length - offset, MSG_NOSIGNAL);
                if (sent < 0)
                {
                    if (Marshal.GetLastPInvokeError() == EINTR)
                    {
                        continue;
                    }

                    return false;
                }

                offset += (int)sent;
            }
        }

        return true;
    }
}
