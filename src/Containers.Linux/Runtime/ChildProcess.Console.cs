namespace Containers.Linux.Runtime;

/// <summary>The terminal part of the container child (process.terminal with a console socket).</summary>
internal static unsafe partial class ChildProcess
{
    private const int O_NOCTTY = 0x100;
    private const long TIOCSPTLCK = 0x40045431;
    private const long TIOCGPTPEER = 0x5441;
    private const long TIOCSWINSZ = 0x5414;
    private const long TIOCSCTTY = 0x540E;

    /// <summary>
    /// Allocates a pty from the container's devpts (/dev/ptmx after the pivot, as runc does), binds
    /// the slave onto /dev/console from its fd (never a path the container could swap), sends the
    /// master over the console socket with SCM_RIGHTS in runc's format (the body is the name
    /// "/dev/ptmx"), and makes the slave stdin/stdout/stderr and the controlling terminal of the
    /// session <c>setsid</c> opened.
    /// </summary>
    private static void SetUpConsole(ChildProgram* p)
    {
        int master = (int)Check(p, Sys(p, p->Nr.OpenAt, Interop.AT_FDCWD, (long)p->Ptmx, Interop.O_RDWR | O_NOCTTY | Interop.O_CLOEXEC), ChildStep.Console, 0);
        int unlock = 0;
        Check(p, Sys(p, p->Nr.Ioctl, master, TIOCSPTLCK, (long)&unlock), ChildStep.Console, 1);

        // TIOCGPTPEER opens the peer of this very master: no /dev/pts/N path lookup to race.
        int slave = (int)Check(p, Sys(p, p->Nr.Ioctl, master, TIOCGPTPEER, Interop.O_RDWR | O_NOCTTY | Interop.O_CLOEXEC), ChildStep.Console, 2);
        if (p->ConsoleRows != 0 && p->ConsoleColumns != 0)
        {
            ushort* size = stackalloc ushort[4];
            size[0] = p->ConsoleRows;
            size[1] = p->ConsoleColumns;
            size[2] = 0;
            size[3] = 0;
            Check(p, Sys(p, p->Nr.Ioctl, master, TIOCSWINSZ, (long)size), ChildStep.Console, 3);
        }

        if (p->SetUpRootfs != 0)
        {
            int root = (int)Check(p, Sys(p, p->Nr.OpenAt, Interop.AT_FDCWD, (long)p->Slash, Interop.O_PATH | Interop.O_DIRECTORY | Interop.O_CLOEXEC), ChildStep.Console, 4);
            int console = (int)Check(p, EnsurePath(p, root, p->DevConsole, 1, Interop.RESOLVE_NO_SYMLINKS), ChildStep.Console, 4);
            byte* source = FdPath(p, p->Scratch1, slave);
            byte* target = FdPath(p, p->Scratch2, console);
            Check(p, Sys(p, p->Nr.Mount, (long)source, (long)target, 0, (long)Interop.MS_BIND, 0), ChildStep.Console, 4);
            Sys(p, p->Nr.Close, console);
            Sys(p, p->Nr.Close, root);
        }

        SendConsole(p, master);
        Sys(p, p->Nr.Close, master);
        Sys(p, p->Nr.Close, p->ConsoleSocket);

        // runc (fixStdioPermissions) gives the process user its stdio; the group stays tty's.
        long owned = Sys(p, p->Nr.Fchown, slave, p->Uid, -1);
        if (owned < 0 && Errno(p) != Interop.EINVAL && Errno(p) != Interop.EPERM)
        {
            Fail(p, ChildStep.Console, 6);
        }

        for (int fd = 0; fd < 3; fd++)
        {
            Check(p, Sys(p, p->Nr.Dup3, slave, fd, 0), ChildStep.Console, 6);
        }

        Sys(p, p->Nr.Close, slave);
        Check(p, Sys(p, p->Nr.Ioctl, 0, TIOCSCTTY, 0), ChildStep.Console, 7);
    }

    /// <summary>sendmsg(2) of one SCM_RIGHTS fd with the body "/dev/ptmx" (runc's utils.SendFd).</summary>
    private static void SendConsole(ChildProgram* p, int master)
    {
        // struct iovec, struct msghdr and one cmsghdr carrying an int, laid out for LP64.
        long* iov = stackalloc long[2];
        iov[0] = (long)p->Ptmx;
        iov[1] = Length(p->Ptmx);
        long* control = stackalloc long[3];
        control[0] = 20;
        ((int*)control)[2] = SOL_SOCKET;
        ((int*)control)[3] = SCM_RIGHTS;
        ((int*)control)[4] = master;
        ((int*)control)[5] = 0;
        long* header = stackalloc long[7];
        header[0] = 0;
        header[1] = 0;
        header[2] = (long)iov;
        header[3] = 1;
        header[4] = (long)control;
        header[5] = 24;
        header[6] = 0;
        long sent;
        do
        {
            sent = Sys(p, p->Nr.SendMsg, p->ConsoleSocket, (long)header, 0);
        }
        while (sent < 0 && Errno(p) == Interop.EINTR);
        Check(p, sent, ChildStep.Console, 5);
    }
}
