using System.Globalization;
using System.Runtime.InteropServices;

namespace Containers.Linux.Runtime;

/// <summary>
/// Creates container processes with a raw clone3 from the calling thread (DESIGN.md §2). Call it
/// only from a NativeAOT spawner's main thread (runcs); the embedding application never does.
/// </summary>
public sealed partial class ContainerSpawner
{
    private const int MaxCloneAttempts = 16;
    private readonly ICgroupPlacer? _cgroupPlacer;

    /// <summary>Creates a spawner.</summary>
    /// <param name="cgroupPlacer">Called with the child's pid before the child is released, or <see langword="null"/>.</param>
    public ContainerSpawner(ICgroupPlacer? cgroupPlacer = null)
    {
        _cgroupPlacer = cgroupPlacer;
    }

    /// <summary>
    /// Namespaces made ahead (<see cref="NamespaceReserve"/>) that a container asking for new network or IPC namespaces joins
    /// instead of creating them in its clone; <see langword="null"/> (the default) creates every namespace in the clone.
    /// </summary>
    public NamespaceReserve? Reserve { get; init; }

    /// <summary>
    /// The new namespaces of <paramref name="plan"/> a reserved one may stand in for: network and IPC, and only when the
    /// clone would create them in the spawner's user namespace — a new user namespace must own its container's namespaces,
    /// and a second clone (a joined user or pid namespace) creates them inside the joined ones.
    /// </summary>
    internal static IEnumerable<ContainerNamespaces> ReservedTypes(SpawnPlan plan, bool secondClone)
    {
        if (secondClone || (plan.Namespaces & ContainerNamespaces.User) != 0)
        {
            yield break;
        }

        foreach (ContainerNamespaces type in NamespaceReserve.Kinds)
        {
            if ((plan.Namespaces & type) != 0)
            {
                yield return type;
            }
        }
    }

    /// <summary>
    /// Clones the child, releases it, and returns once it has either exec'd its program (no
    /// <see cref="SpawnPlan.ExecFifoPath"/>) or finished setup and is waiting on the exec fifo.
    /// </summary>
    /// <exception cref="ContainerStartException">A setup step failed in the child; the child has been reaped.</exception>
    /// <exception cref="LinuxErrorException">clone3 or a pipe call failed in the spawner.</exception>
    /// <exception cref="InvalidSpecException">The plan is malformed.</exception>
    /// <exception cref="UnsupportedException">The plan asks for something not implemented.</exception>
    public unsafe SpawnedProcess Spawn(SpawnPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        using NativeArena arena = new();
        ChildProgram* program = ChildProgramBuilder.Build(plan, arena);
        using TmpfsCopyUp copyUp = TmpfsCopyUp.Prepare(plan, program);
        using IdMappedMounts idMapped = IdMappedMounts.Prepare(plan, program);
        using SafeFdHandle? consoleSocket = plan.Terminal ? Interop.ConnectUnix(plan.ConsoleSocketPath!, "--console-socket") : null;
        program->ConsoleSocket = consoleSocket?.Fd ?? -1;
        using JoinedNamespaces joined = JoinedNamespaces.OpenPaths(plan.JoinNamespaces);
        bool newUser = (plan.Namespaces & ContainerNamespaces.User) != 0;

        // runc's nsexec joins with the host's capabilities, then creates the user namespace: a namespace the
        // host's user namespace owns cannot be joined from inside a new one.
        bool secondClone = joined.NeedsSecondClone || (newUser && joined.Count > 0);
        if (Reserve is not null)
        {
            foreach (ContainerNamespaces type in ReservedTypes(plan, secondClone))
            {
                if (Reserve.Take(type) is SafeFdHandle reserved)
                {
                    // Joined like a linux.namespaces[].path, in place of the clone's new one.
                    joined.AddReserved(reserved, type);
                    program->CloneFlags &= ~JoinedNamespaces.NameAndFlagOf(type).CloneFlag;
                }
            }
        }

        joined.Fill(program, arena);
        if (secondClone)
        {
            if (SeccompListenerHandoff.IsNeeded(plan))
            {
                throw new UnsupportedException($"{plan.JoinNamespaces[0].JsonPath}: joining a user or pid namespace, or one next to a new user namespace, together with a seccomp agent is not supported by runcs yet");
            }

            program->ExecMode = 2;
        }

        // A plain create joins its cgroup by itself (no global-lock grace period in the parent's Place).
        using CgroupSelfPlacement? selfPlacement = !secondClone && !newUser && _cgroupPlacer?.SelfPlacementCgroup is { } cgroup
            ? CgroupSelfPlacement.TryOpen(cgroup) : null;
        bool parentPlaces = _cgroupPlacer is not null && selfPlacement is null;
        selfPlacement?.Fill(program, arena);

        for (int attempt = 0; ; attempt++)
        {
            (SafeFdHandle statusRead, SafeFdHandle statusWrite) = Interop.CreatePipe();
            (SafeFdHandle releaseRead, SafeFdHandle releaseWrite) = Interop.CreatePipe();
            (SafeFdHandle? seccompParent, SafeFdHandle? seccompChild) = SeccompListenerHandoff.IsNeeded(plan) ? SeccompListenerHandoff.CreateSocketPair() : (null, null);
            (SafeFdHandle? hookStateRead, SafeFdHandle? hookStateWrite) = program->HookState != null ? Interop.CreatePipe() : (null, null);
            using (statusRead)
            using (releaseWrite)
            using (seccompParent)
            using (hookStateWrite)
            {
                int pid;
                int pidfd = -1;
                using (statusWrite)
                using (releaseRead)
                using (seccompChild)
                using (hookStateRead)
                {
                    program->HookStateFd = hookStateRead?.Fd ?? -1;
                    program->HookStateParentFd = hookStateWrite?.Fd ?? -1;
                    program->StatusFd = statusWrite.Fd;
                    program->StatusParentFd = statusRead.Fd;
                    program->ReleaseFd = releaseRead.Fd;
                    program->ReleaseParentFd = releaseWrite.Fd;
                    if (seccompChild is not null)
                    {
                        program->Seccomp->NotifySocket = seccompChild.Fd;
                        program->Seccomp->NotifyParentSocket = seccompParent!.Fd;
                    }

                    program->AwaitPlacement = parentPlaces ? 1 : 0;
                    Interop.CloneArgs args = default;
                    // With a second clone, the first creates no namespace: the second does, inside the joined ones.
                    args.Flags = (secondClone ? 0 : program->CloneFlags) | Interop.CLONE_PIDFD;
                    args.PidFd = (ulong)&pidfd;
                    args.ExitSignal = Interop.SIGCHLD;
                    selfPlacement?.Apply(&args);

                    if (!CloneOutsideGc(program, &args, attempt < MaxCloneAttempts, out pid))
                    {
                        Interop.Close(pidfd);
                        continue;
                    }
                }

                SafeFdHandle pidHandle = new(pidfd);
                try
                {
                    if (newUser && !secondClone)
                    {
                        WriteIdMaps(pid, plan);
                    }

                    if (plan.OomScoreAdj is int score)
                    {
                        // Set from outside while the child waits: it inherits nothing it could undo.
                        File.WriteAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/oom_score_adj", score.ToString(CultureInfo.InvariantCulture));
                    }

                    if (hookStateWrite is not null && !secondClone)
                    {
                        WriteHookStates(hookStateWrite, plan, pid);
                    }

                    Interop.WriteFully(releaseWrite.Fd, "G"u8);
                    if (parentPlaces)
                    {
                        // The first cgroup move waits for an RCU grace period (~8 ms here; which is why a plain
                        // create's child places itself, CgroupSelfPlacement); the child sets up its root meanwhile and
                        // waits for "P" before it runs anything of the container's (rlimits, user switch, exec).
                        _cgroupPlacer!.Place(pid);
                    }

                    bool ready = false;
                    if (secondClone)
                    {
                        // The joining child is placed first (the init it clones inherits the cgroup); the init
                        // waits for "C", after its id maps, before it sets anything up or pauses for hooks.
                        if (parentPlaces)
                        {
                            Interop.WriteFully(releaseWrite.Fd, "P"u8);
                        }

                        int first = pid;
                        (pid, ready) = AwaitSecondClone(statusRead, plan, joined, first);
                        pidHandle.Dispose();
                        pidHandle = new SafeFdHandle(Interop.ThrowOnError(Interop.PidfdOpen(pid), "pidfd_open"));
                        pidfd = pidHandle.Fd;
                        if (newUser)
                        {
                            WriteIdMaps(pid, plan);
                        }

                        // The init's own pid, which only now is known; it reads the states after "C".
                        if (hookStateWrite is not null)
                        {
                            WriteHookStates(hookStateWrite, plan, pid);
                        }

                        Interop.WriteFully(releaseWrite.Fd, "C"u8);
                    }

                    if (plan.BeforePivotRoot is not null)
                    {
                        // The child stops before pivot_root; it is in its cgroup by now, as runc's init is when its
                        // parent runs prestart and createRuntime hooks.
                        AwaitHookPause(statusRead, plan, pid);
                        plan.BeforePivotRoot(pid);
                        Interop.WriteFully(releaseWrite.Fd, "H"u8);
                    }

                    if (parentPlaces && !secondClone)
                    {
                        try
                        {
                            Interop.WriteFully(releaseWrite.Fd, "P"u8);
                        }
                        catch (LinuxErrorException)
                        {
                            // EPIPE: the child already failed a setup step; AwaitChild reports which.
                        }
                    }

                    // After placement: the child installs its filter (and sends the notify fd) only
                    // once it has been released past "P".
                    if (seccompParent is not null)
                    {
                        SeccompListenerHandoff.Forward(seccompParent, plan, pid);
                    }

                    plan.WhileChildFinishes?.Invoke(pid);
                    if (!ready)
                    {
                        AwaitChild(statusRead, plan, pid);
                    }
                }
                catch (ContainerStartException)
                {
                    // AwaitChild has reaped the child.
                    pidHandle.Dispose();
                    throw;
                }
                catch
                {
                    // A hook failure the child reported has been reaped already: signal through the pidfd (never a
                    // recycled pid) and reap only what is still there.
                    Interop.PidfdSendSignal(pidfd, Interop.SIGKILL);
                    ReapIfStillChild(pid);
                    pidHandle.Dispose();
                    throw;
                }

                return new SpawnedProcess(pid, pidHandle, attempt);
            }
        }
    }

    /// <summary>DESIGN.md §2 point 4: the parent maps the waiting child's user namespace.</summary>
    private static void WriteIdMaps(int pid, SpawnPlan plan)
    {
        if (plan.UidMappings.Count == 0 || plan.GidMappings.Count == 0)
        {
            throw new InvalidSpecException("linux.uidMappings", "a user namespace needs uid and gid mappings");
        }

        string proc = $"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/";
        File.WriteAllText(proc + "uid_map", MapText(plan.UidMappings));
        File.WriteAllText(proc + "gid_map", MapText(plan.GidMappings));
    }

    internal static string MapText(IReadOnlyList<IdMapping> mappings)
        => string.Concat(mappings.Select(m => string.Create(CultureInfo.InvariantCulture, $"{m.ContainerId} {m.HostId} {m.Size}\n")));

    private static void AwaitChild(SafeFdHandle statusRead, SpawnPlan plan, int pid)
    {
        Span<byte> record = stackalloc byte[Marshal.SizeOf<ChildStatus>()];
        int read = Interop.ReadFully(statusRead.Fd, record);
        if (read == 0)
        {
            if (plan.ExecFifoPath is null)
            {
                return;
            }

            // The status pipe closed without "ready": the child died (or exec'd, which it must not before start).
            int code = Interop.ExitCodeOf(Interop.WaitForChild(pid));
            throw new ContainerStartException(ChildStep.AwaitStart, Interop.ESRCH, code, $"the child ended with code {code} before it was ready");
        }

        ChildStatus status = MemoryMarshal.Read<ChildStatus>(record);
        if (status.Step == (int)ChildStep.Ready)
        {
            return;
        }

        Interop.WaitForChild(pid);
        throw Failure(plan, status);
    }

    private static ContainersException Failure(SpawnPlan plan, ChildStatus status)
        => (ContainersException?)HookFailure(plan, status)
            ?? new ContainerStartException((ChildStep)status.Step, status.Errno, status.Index, Describe(plan, (ChildStep)status.Step, status.Index));

    private static string? Describe(SpawnPlan plan, ChildStep step, int index)
    {
        static string? At<T>(IReadOnlyList<T> list, int index, Func<T, string> text)
            => index >= 0 && index < list.Count ? text(list[index]) : null;

        return step switch
        {
            ChildStep.MountTarget or ChildStep.Mount or ChildStep.MountAttributes or ChildStep.MountPropagation
                or ChildStep.MountRecursiveAttributes
                => At(plan.Mounts, index, m => $"mount {m.Destination}"),
            ChildStep.MaskPath => At(plan.MaskedPaths, index, m => $"masked path {m}"),
            ChildStep.ReadonlyPath => At(plan.ReadonlyPaths, index, m => $"read-only path {m}"),
            ChildStep.Execve => $"exec {plan.Args[0]}",
            ChildStep.Chdir => $"cwd {plan.Cwd}",
            ChildStep.CreateCwd => $"mkdir cwd {plan.Cwd}",
            ChildStep.ExecLookup => index switch
            {
                // runc's (Go's exec.LookPath) words, which clients match: podman maps "not found" to exit code 127.
                0 => $"exec: \"{plan.ExecPath ?? plan.Args[0]}\": executable file not found in $PATH",
                1 => $"exec: \"{plan.ExecPath ?? plan.Args[0]}\": stat {plan.ExecPath ?? plan.Args[0]}",
                _ => $"exec: \"{plan.ExecPath ?? plan.Args[0]}\": permission denied",
            },
            ChildStep.CapabilityBounding or ChildStep.AmbientCapabilities => $"capability {index}",
            ChildStep.Seccomp => $"linux.seccomp, {plan.Seccomp?.Length} instructions, flags {plan.Seccomp?.Flags}",
            ChildStep.SeccompNotify => $"seccomp agent at {plan.Seccomp?.ListenerPath}",
            ChildStep.SecurityLabel => At(plan.SecurityLabels, index, l => l.Describe()),
            _ => null,
        };
    }

    /// <summary>
    /// Clones the child. A GC that starts between the two counts may have been suspending this thread
    /// at the clone; its child would then block in its first GC poll. Such a child is still waiting for
    /// the release byte, so, when <paramref name="mayRetry"/>, it is killed and reaped and
    /// <see langword="false"/> tells the caller to clone again.
    /// </summary>
    private static unsafe bool CloneOutsideGc(ChildProgram* program, Interop.CloneArgs* args, bool mayRetry, out int pid)
    {
        int errno;
        int collections = GC.CollectionCount(0);
        long result = ChildProcess.Clone(program, args, &errno);
        bool gcOverlapped = GC.CollectionCount(0) != collections;
        if (result < 0)
        {
            throw new LinuxErrorException("clone3", errno);
        }

        pid = (int)result;
        if (gcOverlapped && mayRetry)
        {
            Interop.Kill(pid, Interop.SIGKILL);
            Interop.WaitForChild(pid);
            return false;
        }

        return true;
    }
}
