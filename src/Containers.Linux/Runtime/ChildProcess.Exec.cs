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
            if (i == 0 && p->JoinedUser != 0)
            {
                // Still the host's uid 0, which the joined namespace need not map (files made would fail
                // with EOVERFLOW): become its root, keeping the capabilities setns gave (runc's nsexec does too).
                Check(p, Sys(p, p->Nr.SetResGid, 0, 0, 0), ChildStep.SetGid, -1);
                Check(p, Sys(p, p->Nr.SetResUid, 0, 0, 0), ChildStep.SetUid, -1);
            }
        }

        // The process cloned next must not join again.
        p->JoinCount = 0;
    }

    /// <summary>
    /// A container that joins a user or pid namespace by path, or joins any namespace next to a new user
    /// namespace (runc's nsexec order): placed in its cgroup, this child joins the namespaces with the
    /// capabilities it was cloned with, then clones (CLONE_PARENT, exit_signal 0) with the container's new
    /// namespaces, so the init is created inside the joined ones — a joined pid namespace only applies to
    /// children, and a namespace owned by the host's user namespace cannot be joined from a new one. It
    /// reports the init's host pid (<see cref="ChildStep.Cloned"/>) and exits; the init waits for "C" on
    /// the release pipe (the parent has written its id maps by then), returns from here and runs the rest of the path.
    /// </summary>
    private static void CloneIntoJoinedNamespaces(ChildProgram* p)
    {
        if (p->AwaitPlacement != 0)
        {
            AwaitReleaseByte(p, (byte)'P');
            p->AwaitPlacement = 0;
        }

        JoinNamespaces(p);
        Interop.CloneArgs args = default;
        args.Flags = CLONE_PARENT | p->CloneFlags;
        args.ExitSignal = 0;
        long pid = Sys(p, p->Nr.Clone3, (long)&args, sizeof(Interop.CloneArgs));
        if (pid < 0)
        {
            Fail(p, ChildStep.ExecClone, 1);
        }

        if (pid > 0)
        {
            ReportCloned(p, pid);
        }

        AwaitReleaseByte(p, (byte)'C');
        if (p->HookPause == 0)
        {
            Sys(p, p->Nr.Close, p->ReleaseFd);
        }
    }

    /// <summary>Sends the second clone's host pid to the parent and ends this (first) child.</summary>
    [DoesNotReturn]
    private static void ReportCloned(ChildProgram* p, long pid)
    {
        ChildStatus cloned;
        cloned.Step = (int)ChildStep.Cloned;
        cloned.Errno = 0;
        cloned.Index = (int)pid;
        cloned.Reserved = 0;
        Sys(p, p->Nr.Write, p->StatusFd, (long)&cloned, sizeof(ChildStatus));
        Exit(p, 0);
    }

    /// <summary>
    /// The exec child. It is placed in the container's cgroup first (the process it clones inherits that),
    /// joins the init's namespaces — setns(pid) only changes the namespace of later children — and clones with
    /// CLONE_PARENT and exit_signal 0, so the new process is the spawner's child, in the container's pid
    /// namespace. It reports that process's host pid (<see cref="ChildStep.Cloned"/>) and exits; the
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
            ReportCloned(p, pid);
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
