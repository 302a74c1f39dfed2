using System.ComponentModel;
using System.Net.Sockets;
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
    /// <exception cref="Win32Exception">sendmsg failed.</exception>
    /// <exception cref="SocketException">The agent's socket could not be reached.</exception>
    public static void Send(string listenerPath, ContainerProcessState state, int notifyFd)
    {
        using Socket socket = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Connect(new UnixDomainSocketEndPoint(listenerPath));
        Send((int)socket.Handle, state, notifyFd);
    }

    /// <summary>Sends the state with <paramref name="notifyFd"/> over the connected UNIX socket <paramref name="socketFd"/>.</summary>
    /// <exception cref="Win32Exception">sendmsg failed.</exception>
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
                throw new Win32Exception(Marshal.GetLastPInvokeError(), "sendmsg of the seccomp notify fd failed");
            }
        }
    }
}
