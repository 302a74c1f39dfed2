using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace Containers.Linux.Tests.Seccomp;

/// <summary>
/// A seccomp agent for tests: listens on a UNIX socket at a listenerPath, takes the container state and the
/// notify fd a runtime sends (SCM_RIGHTS), and answers notifications with SECCOMP_IOCTL_NOTIF_RECV/SEND.
/// </summary>
internal sealed partial class SeccompTestAgent : IDisposable
{
    private const ulong NotifRecv = 0xC0502100; // _IOWR('!', 0, struct seccomp_notif), 80 bytes
    private const ulong NotifSend = 0xC0182101; // _IOWR('!', 1, struct seccomp_notif_resp), 24 bytes
    private readonly Socket _listener;

    public SeccompTestAgent()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "scmp-agent-" + Guid.NewGuid().ToString("N")[..12] + ".sock");
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(Path));
        _listener.Listen(1);
    }

    public string Path { get; }

    /// <summary>One notification as the agent saw it.</summary>
    public sealed record Notification(int Nr, ulong Arg0, int Pid);

    /// <summary>Accepts one runtime connection and returns the state JSON and the received notify fd.</summary>
    public async Task<(string StateJson, int NotifyFd)> AcceptAsync(TimeSpan timeout)
    {
        using CancellationTokenSource cts = new(timeout);
        using Socket connection = await _listener.AcceptAsync(cts.Token);
        return await Task.Run(() => Receive((int)connection.Handle, timeout));
    }

    /// <summary>Waits for one notification on <paramref name="notifyFd"/> and answers it with -<paramref name="errno"/>.</summary>
    public static unsafe Notification AnswerOne(int notifyFd, int errno, TimeSpan timeout)
    {
        WaitReadable(notifyFd, timeout);
        byte* notif = stackalloc byte[80];
        new Span<byte>(notif, 80).Clear();
        if (Ioctl(notifyFd, NotifRecv, notif) < 0)
        {
            throw new InvalidOperationException("SECCOMP_IOCTL_NOTIF_RECV failed: errno " + Marshal.GetLastPInvokeError());
        }

        Notification seen = new(*(int*)(notif + 16), *(ulong*)(notif + 32), *(int*)(notif + 8));
        byte* response = stackalloc byte[24];
        new Span<byte>(response, 24).Clear();
        *(ulong*)response = *(ulong*)notif;
        *(int*)(response + 16) = -errno;
        if (Ioctl(notifyFd, NotifSend, response) < 0)
        {
            throw new InvalidOperationException("SECCOMP_IOCTL_NOTIF_SEND failed: errno " + Marshal.GetLastPInvokeError());
        }

        return seen;
    }

    public void Dispose()
    {
        _listener.Dispose();
        File.Delete(Path);
    }

    private static unsafe (string, int) Receive(int socket, TimeSpan timeout)
    {
        WaitReadable(socket, timeout);
        byte[] buffer = new byte[64 * 1024];
        int controlLength = Interop.Seccomp.ControlSpace(1);
        byte* control = stackalloc byte[controlLength];
        new Span<byte>(control, controlLength).Clear();
        fixed (byte* data = buffer)
        {
            Interop.Seccomp.IoVec iov = new() { Base = data, Length = (nuint)buffer.Length };
            Interop.Seccomp.MsgHdr message = new() { Iov = &iov, IovLength = 1, Control = control, ControlLength = (nuint)controlLength };
            nint received = Interop.Seccomp.RecvMsg(socket, &message, Interop.Seccomp.MsgCmsgCloexec);
            if (received <= 0 || message.ControlLength == 0)
            {
                throw new InvalidOperationException($"recvmsg from the runtime: {received}, errno {Marshal.GetLastPInvokeError()}");
            }

            Interop.Seccomp.CmsgHdr* header = (Interop.Seccomp.CmsgHdr*)control;
            Assert.That((header->Level, header->Type), Is.EqualTo((Interop.Seccomp.SolSocket, Interop.Seccomp.ScmRights)));
            return (Encoding.UTF8.GetString(buffer, 0, (int)received), *(int*)(control + sizeof(Interop.Seccomp.CmsgHdr)));
        }
    }

    private static unsafe void WaitReadable(int fd, TimeSpan timeout)
    {
        Interop.PollFd poll = new() { Fd = fd, Events = Interop.POLLIN };
        if (Interop.Poll(&poll, 1, (int)timeout.TotalMilliseconds) <= 0)
        {
            throw new TimeoutException($"nothing arrived on fd {fd} within {timeout}");
        }
    }

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static unsafe partial int Ioctl(int fd, ulong request, void* argument);
}
