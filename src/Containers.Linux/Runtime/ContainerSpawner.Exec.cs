using System.Globalization;
using System.Runtime.InteropServices;

namespace Containers.Linux.Runtime;

/// <summary>The exec half of the spawner: an additional process in a running container (runc exec).</summary>
public sealed partial class ContainerSpawner
{
    /// <summary>
    /// Starts <paramref name="plan"/>'s process inside the running container whose init is
    /// <paramref name="initPid"/> (DESIGN.md §2 point 4): a first clone is placed in the container's cgroup,
    /// joins the init's namespaces (pinned through a pidfd, checked against <paramref name="initStartTime"/>),
    /// and clones the process with CLONE_PARENT into the container's pid namespace; that process sets up its
    /// user, capabilities, limits, seccomp filter and cwd (inside the container's root) and execs.
    /// Returns once it has exec'd; it is the caller's child.
    /// </summary>
    /// <param name="plan">The process: args, env, cwd, user, capabilities, rlimits, seccomp, terminal. No
    /// rootfs, mounts, new namespaces or exec fifo: it runs in the container's.</param>
    /// <param name="initPid">Host pid of the container's init.</param>
    /// <param name="initStartTime">The init's start time (field 22 of /proc/pid/stat) recorded at create.</param>
    /// <exception cref="FailedPreconditionException">The init is not running (any more).</exception>
    /// <exception cref="ContainerStartException">A step failed in the new process or while joining; it has been reaped.</exception>
    /// <exception cref="InvalidSpecException">The plan is malformed or asks for container set-up.</exception>
    /// <exception cref="UnsupportedException">The plan asks for something not implemented for exec.</exception>
    public unsafe SpawnedProcess Exec(SpawnPlan plan, int initPid, ulong initStartTime)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (plan.RootfsPath is not null || plan.Namespaces != ContainerNamespaces.None || plan.JoinNamespaces.Count > 0
            || plan.Mounts.Count > 0 || plan.ExecFifoPath is not null || plan.Hostname is not null || plan.Domainname is not null
            || plan.Sysctls.Count > 0 || plan.MaskedPaths.Count > 0 || plan.ReadonlyPaths.Count > 0)
        {
            throw new InvalidSpecException("process", "an exec runs in the container's namespaces and root: its plan sets up no rootfs, mounts, namespaces, names, sysctls or exec fifo");
        }

        if (plan.Seccomp?.UsesNotify == true)
        {
            throw new UnsupportedException("linux.seccomp: SCMP_ACT_NOTIFY for an exec'd process is not supported by runcs yet");
        }

        using NativeArena arena = new();
        ChildProgram* program = ChildProgramBuilder.Build(plan, arena);
        program->ExecMode = 1;
        using SafeFdHandle? consoleSocket = plan.Terminal ? Interop.ConnectUnix(plan.ConsoleSocketPath!, "--console-socket") : null;
        program->ConsoleSocket = consoleSocket?.Fd ?? -1;
        using JoinedNamespaces joined = JoinedNamespaces.OpenOf(initPid, initStartTime);
        joined.Fill(program, arena);
        for (int attempt = 0; ; attempt++)
        {
            (SafeFdHandle statusRead, SafeFdHandle statusWrite) = Interop.CreatePipe();
            (SafeFdHandle releaseRead, SafeFdHandle releaseWrite) = Interop.CreatePipe();
            using (statusRead)
            using (releaseWrite)
            {
                int pid;
                using (statusWrite)
                using (releaseRead)
                {
                    program->StatusFd = statusWrite.Fd;
                    program->StatusParentFd = statusRead.Fd;
                    program->ReleaseFd = releaseRead.Fd;
                    program->ReleaseParentFd = releaseWrite.Fd;
                    program->AwaitPlacement = _cgroupPlacer is null ? 0 : 1;
                    Interop.CloneArgs args = default;
                    args.ExitSignal = Interop.SIGCHLD;

                    // As in Spawn: a clone that a GC suspension overlapped is discarded before release.
                    if (!CloneOutsideGc(program, &args, attempt < MaxCloneAttempts, out pid))
                    {
                        continue;
                    }
                }

                int execPid;
                try
                {
                    Interop.WriteFully(releaseWrite.Fd, "G"u8);
                    if (_cgroupPlacer is not null)
                    {
                        // The joining child is placed; the process it clones is born in the container's cgroup.
                        _cgroupPlacer.Place(pid);
                        try
                        {
                            Interop.WriteFully(releaseWrite.Fd, "P"u8);
                        }
                        catch (LinuxErrorException)
                        {
                            // EPIPE: the child already failed; its report follows on the status pipe.
                        }
                    }
                }
                catch
                {
                    Interop.Kill(pid, Interop.SIGKILL);
                    Interop.WaitForChild(pid);
                    throw;
                }

                execPid = AwaitExec(statusRead, plan, joined, pid);
                int pidfd = Interop.PidfdOpen(execPid);
                if (pidfd < 0)
                {
                    // Cannot fail for an unreaped child of ours; kill it rather than hand out an unwatched process.
                    int error = Marshal.GetLastPInvokeError();
                    Interop.Kill(execPid, Interop.SIGKILL);
                    Interop.WaitForChild(execPid);
                    throw new LinuxErrorException("pidfd_open", error, execPid.ToString(CultureInfo.InvariantCulture));
                }

                return new SpawnedProcess(execPid, new SafeFdHandle(pidfd), attempt);
            }
        }
    }

    /// <summary>
    /// A two-step create: reads the first child's report of the init's pid (or its failure) and reaps the first
    /// child; the init then reports on the same pipe as a one-step child does.
    /// </summary>
    private static (int Pid, bool Ready) AwaitSecondClone(SafeFdHandle statusRead, SpawnPlan plan, JoinedNamespaces joined, int firstPid)
    {
        // The init runs as soon as it is cloned, so its own report ("ready" or a failure) may come before the
        // first child's; read until the pid is known.
        Span<byte> record = stackalloc byte[Marshal.SizeOf<ChildStatus>()];
        int pid = 0;
        ChildStatus? early = null;
        while (pid == 0 && Interop.ReadFully(statusRead.Fd, record) == record.Length)
        {
            ChildStatus status = MemoryMarshal.Read<ChildStatus>(record);
            if (status.Step == (int)ChildStep.Cloned)
            {
                pid = status.Index;
            }
            else
            {
                // A failure of the first child itself is followed by the end of the pipe, not a pid.
                early ??= status;
            }
        }

        int firstCode = Interop.ExitCodeOf(Interop.WaitForChild(firstPid));
        if (early is ChildStatus failed && failed.Step != (int)ChildStep.Ready)
        {
            if (pid > 0)
            {
                Interop.WaitForChild(pid);
            }

            throw Failure(failed, plan, joined);
        }

        if (pid == 0)
        {
            throw new ContainerStartException(ChildStep.ExecClone, Interop.ESRCH, firstCode, $"the joining child ended with code {firstCode} before it cloned the init");
        }

        return (pid, early is not null);
    }

    private static ContainerStartException Failure(ChildStatus failed, SpawnPlan plan, JoinedNamespaces joined)
    {
        ChildStep step = (ChildStep)failed.Step;
        string? detail = step == ChildStep.JoinNamespace && failed.Index >= 0 && failed.Index < joined.Count
            ? $"joining the {joined.Types[failed.Index]} namespace"
            : Describe(plan, step, failed.Index);
        return new ContainerStartException(step, failed.Errno, failed.Index, detail);
    }

    /// <summary>
    /// Reads the status pipe to its end: the joining child's record of the new process's pid, and a failure
    /// from either of them. Reaps the joining child; on failure also the new process.
    /// </summary>
    private static int AwaitExec(SafeFdHandle statusRead, SpawnPlan plan, JoinedNamespaces joined, int joiningPid)
    {
        int execPid = 0;
        ChildStatus? failure = null;
        Span<byte> record = stackalloc byte[Marshal.SizeOf<ChildStatus>()];
        while (Interop.ReadFully(statusRead.Fd, record) == record.Length)
        {
            ChildStatus status = MemoryMarshal.Read<ChildStatus>(record);
            if (status.Step == (int)ChildStep.Cloned)
            {
                execPid = status.Index;
            }
            else
            {
                failure ??= status;
            }
        }

        int joiningCode = Interop.ExitCodeOf(Interop.WaitForChild(joiningPid));
        if (failure is ChildStatus failed)
        {
            if (execPid > 0)
            {
                Interop.WaitForChild(execPid);
            }

            throw Failure(failed, plan, joined);
        }

        if (execPid <= 0)
        {
            throw new ContainerStartException(ChildStep.ExecClone, Interop.ESRCH, joiningCode, $"the joining child ended with code {joiningCode} before it cloned the process");
        }

        return execPid;
    }
}
