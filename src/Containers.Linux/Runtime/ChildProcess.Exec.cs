using System.Diagnostics.CodeAnalysis;

namespace Containers.Linux.Runtime;

/// <summary>
/// Joining namespaces, and the exec path (DESIGN.md §2 point 4): this child setns()es into the running
/// container's namespaces, then clones once more so the process lands in the container's pid namespace.
/// Allocation-free, as the rest of the child.
/// </summary>
internal static unsafe partial class ChildProcess
{
    private const ulong CLONE_PARENT = 0x00008000;

    /// <summary>setns(2) into every prepared namespace fd, in order (user first); nothing when there are none.</summary>
    private static void JoinNamespaces(ChildProgram* p)
    {
        for (long i = 0; i < p->JoinCount; i++)
        {
            Check(p, Sys(p, p->Nr.Setns, p->JoinFds[i], 0), ChildStep.JoinNamespace, (int)i);
            Sys(p, p->Nr.Close, p->JoinFds[i]);
        }
    }

    /// <summary>
    /// The exec child. It is placed in the container's cgroup first (the process it clones inherits that),
    /// joins the init's namespaces — setns(pid) only changes the namespace of later children — and clones with
    /// CLONE_PARENT and exit_signal 0, so the new process is the spawner's child, in the container's pid
    /// namespace. It reports that process's host pid as a "ready" record with the pid in Index and exits; the
    /// new process runs the rest of the path and execs, or reports its own failure on the same pipe.
    /// </summary>
    [DoesNotReturn]
    private static void RunExec(ChildProgram* p)
    {
        if (p->AwaitPlacement != 0)
        {
            AwaitReleaseByte(p, (byte)'P');
            Sys(p, p->Nr.Close, p->ReleaseFd);
        }

        ResetSignalHandlers(p);
        JoinNamespaces(p);

        Interop.CloneArgs args = default;
        args.Flags = CLONE_PARENT;
        args.ExitSignal = 0;
        long pid = Sys(p, p->Nr.Clone3, (long)&args, sizeof(Interop.CloneArgs));
        if (pid < 0)
        {
            Fail(p, ChildStep.ExecClone, 0);
        }

        if (pid > 0)
        {
            ChildStatus cloned;
            cloned.Step = (int)ChildStep.Ready;
            cloned.Errno = 0;
            cloned.Index = (int)pid;
            cloned.Reserved = 0;
            Sys(p, p->Nr.Write, p->StatusFd, (long)&cloned, sizeof(ChildStatus));
            Exit(p, 0);
        }

        // The new process: its own session (and controlling terminal), as runc's exec gets.
        Check(p, Sys(p, p->Nr.Setsid), ChildStep.Setsid, 0);
        if (p->ConsoleSocket >= 0)
        {
            SetUpConsole(p);
        }

        FinishAndExec(p, -1);
    }
}
