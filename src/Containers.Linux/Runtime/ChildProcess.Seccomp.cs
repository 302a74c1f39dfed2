namespace Containers.Linux.Runtime;

/// <summary>The child's seccomp step: install the filter, and hand a notify fd to the parent (allocation-free, as the rest of the child).</summary>
internal static unsafe partial class ChildProcess
{
    private const int SECCOMP_SET_MODE_FILTER = 1;
    private const int MSG_NOSIGNAL = 0x4000;
    private const int SOL_SOCKET = 1;
    private const int SCM_RIGHTS = 1;
    private const int EPIPE = 32;
    private const byte NotifyFdSent = (byte)'S';
    private const byte AgentHasFd = (byte)'A';

    /// <summary>Closes the parent's end of the notify socketpair, so the child never waits on itself.</summary>
    private static void CloseSeccompParentSocket(ChildProgram* p)
    {
        if (p->Seccomp != null && p->Seccomp->NotifyParentSocket >= 0)
        {
            Sys(p, p->Nr.Close, p->Seccomp->NotifyParentSocket);
        }
    }

    /// <summary>
    /// seccomp(SECCOMP_SET_MODE_FILTER, flags, &amp;prog). With a listener, sends the notify fd to the parent
    /// (SCM_RIGHTS) and waits until the parent says the agent has it, as runc's init does.
    /// </summary>
    private static void InstallSeccomp(ChildProgram* p)
    {
        ChildSeccomp* s = p->Seccomp;
        long listener = Sys(p, s->SeccompNr, SECCOMP_SET_MODE_FILTER, (long)s->Flags, (long)&s->Length);
        if (listener < 0)
        {
            Fail(p, ChildStep.Seccomp, 0);
        }

        if (s->NotifySocket < 0)
        {
            return;
        }

        byte payload = NotifyFdSent;
        Interop.Seccomp.IoVec iov;
        iov.Base = &payload;
        iov.Length = 1;

        // CMSG_SPACE(sizeof(int)) on 64-bit: a 16-byte header, the fd, padding to 8.
        const int ControlSize = 24;
        byte* control = stackalloc byte[ControlSize];
        for (int i = 0; i < ControlSize; i++)
        {
            control[i] = 0;
        }

        Interop.Seccomp.CmsgHdr* header = (Interop.Seccomp.CmsgHdr*)control;
        header->Length = (nuint)(sizeof(Interop.Seccomp.CmsgHdr) + sizeof(int));
        header->Level = SOL_SOCKET;
        header->Type = SCM_RIGHTS;
        *(int*)(control + sizeof(Interop.Seccomp.CmsgHdr)) = (int)listener;

        Interop.Seccomp.MsgHdr message;
        message.Name = null;
        message.NameLength = 0;
        message.Iov = &iov;
        message.IovLength = 1;
        message.Control = control;
        message.ControlLength = ControlSize;
        message.Flags = 0;
        long sent;
        do
        {
            sent = Sys(p, s->SendMsgNr, s->NotifySocket, (long)&message, MSG_NOSIGNAL);
        }
        while (sent < 0 && Errno(p) == Interop.EINTR);
        if (sent != 1)
        {
            Fail(p, ChildStep.SeccompNotify, 0);
        }

        Sys(p, p->Nr.Close, listener);

        // Until the agent holds the fd, a notified syscall would wait on nobody; and if the agent cannot be
        // reached the parent ends the start here instead.
        byte ack = 0;
        long n;
        do
        {
            n = Sys(p, p->Nr.Read, s->NotifySocket, (long)&ack, 1);
        }
        while (n < 0 && Errno(p) == Interop.EINTR);
        if (n != 1 || ack != AgentHasFd)
        {
            Report(p, ChildStep.SeccompNotify, EPIPE, 1);
        }

        Sys(p, p->Nr.Close, s->NotifySocket);
    }
}
