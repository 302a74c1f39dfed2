using System.Runtime.InteropServices;
using Containers.Linux.Seccomp;
using Containers.Oci.Runtime;

namespace Containers.Linux.Runtime;

/// <summary>
/// The parent's half of SCMP_ACT_NOTIFY (runc's syncParentSeccomp): receive the notify fd the child sends over
/// a socketpair, pass it with the container's state to the agent at <c>listenerPath</c>, then let the child go on.
/// </summary>
internal static class SeccompListenerHandoff
{
    private const byte AgentHasFd = (byte)'A';

    /// <summary>Whether the plan's filter returns a notify fd that must reach an agent.</summary>
    public static bool IsNeeded(SpawnPlan plan) => plan.Seccomp?.UsesNotify == true;

    /// <summary>A close-on-exec UNIX stream socketpair: (parent's end, child's end).</summary>
    /// <exception cref="LinuxErrorException">socketpair failed.</exception>
    public static unsafe (SafeFdHandle Parent, SafeFdHandle Child) CreateSocketPair()
    {
        int* fds = stackalloc int[2];
        if (Interop.Seccomp.SocketPair(Interop.Seccomp.AfUnix, Interop.Seccomp.SockStream | Interop.Seccomp.SockCloexec, 0, fds) < 0)
        {
            throw new LinuxErrorException("socketpair", Marshal.GetLastPInvokeError());
        }

        return (new SafeFdHandle(fds[0]), new SafeFdHandle(fds[1]));
    }

    /// <summary>
    /// Waits for the child's notify fd and hands it to the agent. Returns without doing anything when the child
    /// closed its end without sending one (it failed earlier and says why on its status pipe).
    /// </summary>
    /// <exception cref="ContainerStartException">The agent could not be reached; the child has been killed and reaped.</exception>
    public static unsafe void Forward(SafeFdHandle socket, SpawnPlan plan, int pid)
    {
        int notifyFd = Receive(socket.Fd, out int receiveErrno);
        if (notifyFd < 0)
        {
            if (receiveErrno == 0)
            {
                return;
            }

            Abort(pid);
            throw new ContainerStartException(ChildStep.SeccompNotify, receiveErrno, 2, "receiving the notify fd from the child");
        }

        try
        {
            SeccompProgram program = plan.Seccomp!;
            State template = plan.SeccompAgentState!;
            ContainerProcessState state = new()
            {
                OciVersion = template.OciVersion,
                Pid = pid,
                Metadata = program.ListenerMetadata,
                State = new State
                {
                    OciVersion = template.OciVersion,
                    Id = template.Id,
                    Status = ContainerStatus.Creating,
                    Pid = pid,
                    Bundle = template.Bundle,
                    Annotations = template.Annotations,
                },
            };
            SeccompNotifySender.Send(program.ListenerPath!, state, notifyFd);
        }
        catch (LinuxErrorException e)
        {
            Abort(pid);
            throw new ContainerStartException(ChildStep.SeccompNotify, e.Errno, 3, $"seccomp agent at {plan.Seccomp!.ListenerPath}: {e.SyscallName}");
        }
        catch (ArgumentException e)
        {
            // The spawner kills and reaps the child for any exception but ContainerStartException.
            throw new InvalidSpecException("linux.seccomp.listenerPath", e.Message);
        }
        finally
        {
            Interop.Close(notifyFd);
        }

        Interop.WriteFully(socket.Fd, [AgentHasFd]);
    }

    /// <summary>recvmsg of one byte and one fd; -1 with errno 0 on a clean end of stream.</summary>
    private static unsafe int Receive(int socket, out int errno)
    {
        const int ControlSize = 24;
        byte payload = 0;
        byte* control = stackalloc byte[ControlSize];
        new Span<byte>(control, ControlSize).Clear();
        Interop.Seccomp.IoVec iov = new() { Base = &payload, Length = 1 };
        Interop.Seccomp.MsgHdr message = new() { Iov = &iov, IovLength = 1, Control = control, ControlLength = ControlSize };
        nint received;
        do
        {
            received = Interop.Seccomp.RecvMsg(socket, &message, Interop.Seccomp.MsgCmsgCloexec);
            errno = received < 0 ? Marshal.GetLastPInvokeError() : 0;
        }
        while (received < 0 && errno == Interop.EINTR);

        if (received <= 0)
        {
            return -1;
        }

        Interop.Seccomp.CmsgHdr* header = (Interop.Seccomp.CmsgHdr*)control;
        if (message.ControlLength < (nuint)sizeof(Interop.Seccomp.CmsgHdr) || header->Level != Interop.Seccomp.SolSocket || header->Type != Interop.Seccomp.ScmRights)
        {
            errno = Interop.EINVAL;
            return -1;
        }

        return *(int*)(control + sizeof(Interop.Seccomp.CmsgHdr));
    }

    private static void Abort(int pid)
    {
        Interop.Kill(pid, Interop.SIGKILL);
        Interop.WaitForChild(pid);
    }
}
