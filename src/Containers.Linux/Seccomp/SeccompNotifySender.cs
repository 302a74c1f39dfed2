using System.Runtime.InteropServices;
using System.Text.Json;

namespace Containers.Linux.Seccomp;

/// <summary>
/// Hands a seccomp notify fd to the agent listening at <c>listenerPath</c>: one message whose data is the
/// <see cref="ContainerProcessState"/> JSON and whose SCM_RIGHTS carry the fds, as runc does.
/// </summary>
public static class SeccompNotifySender
{
    /// <summary>Connects to <paramref name="listenerPath"/> and sends the state with <paramref name="notifyFd"/>.</summary>
    /// <remarks>
    /// Plain socket/connect/sendmsg calls, no <c>System.Net.Sockets</c>: the spawner calls this between clones
    /// and must not start the runtime's socket engine threads.
    /// </remarks>
    /// <exception cref="LinuxErrorException">The agent's socket could not be reached (connect), or sendmsg failed.</exception>
    /// <exception cref="ArgumentException"><paramref name="listenerPath"/> does not fit in a sockaddr_un.</exception>
    public static unsafe void Send(string listenerPath, ContainerProcessState state, int notifyFd)
    {
        ArgumentException.ThrowIfNullOrEmpty(listenerPath);
        byte[] path = System.Text.Encoding.UTF8.GetBytes(listenerPath);
        Interop.Seccomp.SockaddrUn address = default;
        if (path.Length >= 108 || Array.IndexOf(path, (byte)0) >= 0)
        {
            throw new ArgumentException($"\"{listenerPath}\" is not a usable UNIX socket path (at most 107 bytes, no NUL)", nameof(listenerPath));
        }

        address.Family = Interop.Seccomp.AfUnix;
        path.CopyTo(new Span<byte>(address.Path, 108));
        int socket = Interop.Seccomp.Socket(Interop.Seccomp.AfUnix, Interop.Seccomp.SockStream | Interop.Seccomp.SockCloexec, 0);
        if (socket < 0)
        {
            throw new LinuxErrorException("socket", Marshal.GetLastPInvokeError());
        }

        try
        {
            if (Interop.Seccomp.Connect(socket, &address, (uint)(sizeof(ushort) + path.Length + 1)) < 0)
            {
                throw new LinuxErrorException("connect", Marshal.GetLastPInvokeError(), "to the seccomp agent at " + listenerPath);
            }

            Send(socket, state, notifyFd);
        }
        finally
        {
            Interop.Seccomp.Close(socket);
        }
    }

    /// <summary>Sends the state with <paramref name="notifyFd"/> over the connected UNIX socket <paramref name="socketFd"/>.</summary>
    /// <exception cref="LinuxErrorException">sendmsg failed.</exception>
    public static unsafe void Send(int socketFd, ContainerProcessState state, int notifyFd)
    {
        ArgumentNullException.ThrowIfNull(state);
        byte[] payload = JsonSerializer.SerializeToUtf8Bytes(state, SeccompJsonContext.Default.ContainerProcessState);
        int controlLength = Interop.Seccomp.ControlSpace(1);
        byte* control = stackalloc byte[controlLength];
        new Span<byte>(control, controlLength).Clear();
        Interop.Seccomp.CmsgHdr* header = (Interop.Seccomp.CmsgHdr*)control;
        header->Length = (nuint)(sizeof(Interop.Seccomp.CmsgHdr) + sizeof(int));
        header->Level = Interop.Seccomp.SolSocket;
        header->Type = Interop.Seccomp.ScmRights;
        *(int*)(control + sizeof(Interop.Seccomp.CmsgHdr)) = notifyFd;
        fixed (byte* data = payload)
        {
            Interop.Seccomp.IoVec iov = new() { Base = data, Length = (nuint)payload.Length };
            Interop.Seccomp.MsgHdr message = new()
            {
                Iov = &iov,
                IovLength = 1,
                Control = control,
                ControlLength = (nuint)controlLength,
            };
            if (Interop.Seccomp.SendMsg(socketFd, &message, Interop.Seccomp.MsgNoSignal) < 0)
            {
                throw new LinuxErrorException("sendmsg", Marshal.GetLastPInvokeError(), "of the seccomp notify fd");
            }
        }
    }
}
