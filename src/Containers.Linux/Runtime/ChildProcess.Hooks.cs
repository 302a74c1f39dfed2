using System.Diagnostics.CodeAnalysis;

namespace Containers.Linux.Runtime;

/// <summary>
/// The hooks of the container child, in runc's places: a pause before pivot_root for the parent's prestart and
/// createRuntime hooks (runc's procHooks sync), createContainer hooks run by the child itself after the mounts and
/// before pivot_root, startContainer hooks after start and before execve. Like runc's init, which runs both kinds
/// with os/exec from inside the container's namespaces, the child forks each hook (clone3 with a pidfd), gives it the
/// state on a fresh pipe as stdin, waits with the hook's timeout and kills it past that.
/// </summary>
internal static unsafe partial class ChildProcess
{
    private static void CloseHookStateParent(ChildProgram* p)
    {
        if (p->HookStateParentFd >= 0)
        {
            Sys(p, p->Nr.Close, p->HookStateParentFd);
        }
    }

    /// <summary>Reads the two length-prefixed states the parent wrote before it released the child.</summary>
    private static void ReadHookState(ChildProgram* p)
    {
        if (p->HookStateFd < 0)
        {
            return;
        }

        byte* buffer = p->HookState;
        long used = 0;
        for (int part = 0; part < 2; part++)
        {
            long length = 0;
            ReadExactly(p, p->HookStateFd, (byte*)&length, sizeof(long));
            if (length < 0 || used + length > ChildProgram.HookStateCapacity)
            {
                Report(p, ChildStep.HookSetUp, Interop.E2BIG, 0);
            }

            ReadExactly(p, p->HookStateFd, buffer + used, length);
            if (part == 0)
            {
                p->CreatingState = buffer + used;
                p->CreatingStateLength = length;
            }
            else
            {
                p->CreatedState = buffer + used;
                p->CreatedStateLength = length;
            }

            used += length;
        }

        Sys(p, p->Nr.Close, p->HookStateFd);
    }

    private static void ReadExactly(ChildProgram* p, int fd, byte* buffer, long count)
    {
        long done = 0;
        while (done < count)
        {
            long n = Sys(p, p->Nr.Read, fd, (long)(buffer + done), count - done);
            if (n < 0 && Errno(p) == 4)
            {
                continue;
            }

            if (n <= 0)
            {
                Report(p, ChildStep.HookSetUp, n == 0 ? Interop.EPIPE : Errno(p), 1);
            }

            done += n;
        }
    }

    /// <summary>The pause for the parent's hooks, then createContainer hooks with the rootfs as cwd (as runc).</summary>
    private static void RunCreateHooks(ChildProgram* p, int root)
    {
        if (p->HookPause != 0)
        {
            ChildStatus paused;
            paused.Step = (int)ChildStep.HooksReady;
            paused.Errno = 0;
            paused.Index = 0;
            paused.Reserved = 0;
            Sys(p, p->Nr.Write, p->StatusFd, (long)&paused, sizeof(ChildStatus));
            byte resume = 0;
            long n;
            do
            {
                n = Sys(p, p->Nr.Read, p->ReleaseFd, (long)&resume, 1);
            }
            while (n < 0 && Errno(p) == 4);
            if (n != 1 || resume != (byte)'H')
            {
                Exit(p, 2);
            }

            if (p->AwaitPlacement == 0)
            {
                Sys(p, p->Nr.Close, p->ReleaseFd);
            }
        }

        if (p->CreateContainerHookCount == 0)
        {
            return;
        }

        if (root >= 0)
        {
            Check(p, Sys(p, p->Nr.Fchdir, root), ChildStep.HookSetUp, 2);
        }

        for (long i = 0; i < p->CreateContainerHookCount; i++)
        {
            long status = RunHook(p, p->CreateContainerHooks + i, p->CreatingState, p->CreatingStateLength);
            if (status != 0)
            {
                ReportHook(p, ChildStep.CreateContainerHook, status, (int)i);
            }
        }
    }

    /// <summary>startContainer hooks: in the container, as its user, after start and just before execve (as runc).</summary>
    private static void RunStartHooks(ChildProgram* p, bool afterStart)
    {
        for (long i = 0; i < p->StartContainerHookCount; i++)
        {
            ChildHook* hook = p->StartContainerHooks + i;
            long status = RunHook(p, hook, p->CreatedState, p->CreatedStateLength);
            if (status != 0)
            {
                // After `start` nobody reads the status pipe: say it on the container's stderr and end the init.
                if (afterStart)
                {
                    Sys(p, p->Nr.Write, 2, (long)hook->FailureMessage, hook->FailureMessageLength);
                    Exit(p, 1);
                }

                ReportHook(p, ChildStep.StartContainerHook, status, (int)i);
            }
        }
    }

    /// <summary>
    /// Runs one hook to its end. Returns 0 on success, the wait status (positive) when it failed, or
    /// -ETIMEDOUT when it was killed at its timeout.
    /// </summary>
    private static long RunHook(ChildProgram* p, ChildHook* hook, byte* state, long stateLength)
    {
        int* fds = stackalloc int[2];
        Check(p, Sys(p, p->Nr.Pipe2, (long)fds, Interop.O_CLOEXEC), ChildStep.HookSetUp, 3);

        // Each state fits in the pipe (the parent caps their size), so this never blocks.
        long written = 0;
        while (written < stateLength)
        {
            long n = Sys(p, p->Nr.Write, fds[1], (long)(state + written), stateLength - written);
            if (n < 0 && Errno(p) != 4)
            {
                Fail(p, ChildStep.HookSetUp, 4);
            }

            written += n > 0 ? n : 0;
        }

        Sys(p, p->Nr.Close, fds[1]);
        int pidfd = -1;
        Interop.CloneArgs args;
        args.Flags = Interop.CLONE_PIDFD;
        args.PidFd = (ulong)&pidfd;
        args.ChildTid = 0;
        args.ParentTid = 0;
        args.ExitSignal = Interop.SIGCHLD;
        args.Stack = 0;
        args.StackSize = 0;
        args.Tls = 0;
        args.SetTid = 0;
        args.SetTidSize = 0;
        args.Cgroup = 0;
        long pid = Sys(p, p->Nr.Clone3, (long)&args, sizeof(Interop.CloneArgs));
        if (pid == 0)
        {
            ExecHook(p, hook, fds[0]);
        }

        Sys(p, p->Nr.Close, fds[0]);
        if (pid < 0)
        {
            Fail(p, ChildStep.HookSetUp, 5);
        }

        Interop.PollFd poll;
        poll.Fd = pidfd;
        poll.Events = Interop.POLLIN;
        poll.Revents = 0;
        long* timeout = stackalloc long[2];
        timeout[0] = hook->TimeoutMilliseconds / 1000;
        timeout[1] = (hook->TimeoutMilliseconds % 1000) * 1000000;
        long ready;
        do
        {
            ready = Sys(p, p->Nr.Ppoll, (long)&poll, 1, hook->TimeoutMilliseconds < 0 ? 0 : (long)timeout, 0, 8);
        }
        while (ready < 0 && Errno(p) == 4);

        int status = 0;
        if (ready == 0)
        {
            Sys(p, p->Nr.Kill, pid, Interop.SIGKILL);
        }

        while (Sys(p, p->Nr.Wait4, pid, (long)&status, 0, 0) < 0 && Errno(p) == 4)
        {
        }

        Sys(p, p->Nr.Close, pidfd);
        return ready == 0 ? -Interop.ETIMEDOUT : status;
    }

    /// <summary>The hook's process: the state as stdin, no descriptor of the runtime's, then execve (127 when it cannot).</summary>
    [DoesNotReturn]
    private static void ExecHook(ChildProgram* p, ChildHook* hook, int stateFd)
    {
        Sys(p, p->Nr.Dup3, stateFd, 0, 0);
        Sys(p, p->Nr.CloseRange, 3, 0xFFFFFFFFL, CLOSE_RANGE_CLOEXEC);
        Sys(p, p->Nr.Execve, (long)hook->Path, (long)hook->Argv, (long)hook->Envp);
        Exit(p, 127);
    }

    /// <summary>Reports a failed hook: errno ETIMEDOUT for a timeout, else 0 with the wait status in the record.</summary>
    [DoesNotReturn]
    private static void ReportHook(ChildProgram* p, ChildStep step, long status, int index)
    {
        ChildStatus record;
        record.Step = (int)step;
        record.Errno = status < 0 ? (int)-status : 0;
        record.Index = index;
        record.Reserved = status < 0 ? 0 : (int)status;
        Sys(p, p->Nr.Write, p->StatusFd, (long)&record, sizeof(ChildStatus));
        Exit(p, 1);
    }
}
