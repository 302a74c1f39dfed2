using Containers.Linux.Cgroups;
using Containers.Linux.Runtime;
using Containers.Oci.Runtime;
using Containers.Runc.Cgroups;
using Containers.Runc.State;

namespace Containers.Runc.Commands;

/// <summary>The part of create and run that is shared: read the bundle, plan, record, spawn.</summary>
internal static class ContainerLauncher
{
    private const UnixFileMode FifoMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite;

    /// <summary>
    /// Starts the container's init. With <paramref name="waitForStart"/> the init blocks on the
    /// exec fifo until <c>runcs start</c>; otherwise it execs at once.
    /// </summary>
    public static (ContainerRecord Record, SpawnedProcess Process) Launch(CommandLine line, ContainerStore store, bool waitForStart)
        => Launch(line, store, waitForStart, out _, out NotifySocket? notify);

    /// <summary>
    /// <see cref="Launch(CommandLine, ContainerStore, bool)"/>; a foreground <c>run</c> of a terminal
    /// container without --console-socket also gets the proxy that received the pty master.
    /// </summary>
    /// <param name="line">The command line.</param>
    /// <param name="store">The state root.</param>
    /// <param name="waitForStart">create: the init waits for start.</param>
    /// <param name="terminal">The proxy of a foreground terminal, or null.</param>
    /// <param name="notify">With NOTIFY_SOCKET set, the container's sd_notify socket (bound here for run; start binds it after create).</param>
    public static (ContainerRecord Record, SpawnedProcess Process) Launch(CommandLine line, ContainerStore store, bool waitForStart, out TerminalProxy? terminal, out NotifySocket? notify)
    {
        terminal = null;
        notify = null;
        string id = line.Arguments.Count == 1 ? line.Arguments[0] : throw new UsageException($"\"{line.Verb}\" requires exactly 1 argument (the container id)");
        string bundle = Path.GetFullPath(line.Option("--bundle") ?? Directory.GetCurrentDirectory());
        string? consoleSocket = line.Option("--console-socket");
        if (consoleSocket is not null)
        {
            consoleSocket = Path.GetFullPath(consoleSocket);
        }

        ContainerCgroups.RefuseSystemd(line);
        string configPath = Path.Combine(bundle, "config.json");
        if (!File.Exists(configPath))
        {
            throw new NotFoundException("config.json in bundle", bundle);
        }

        Spec spec = RuntimeSpecJson.ParseSpec(File.ReadAllBytes(configPath));
        NotifySocket? notifySocket = NotifySocket.FromEnvironment(store.DirectoryOf(id));
        notifySocket?.AddTo(spec);
        bool detached = waitForStart || line.Switch("--detach");
        CheckTerminal(spec.Process?.Terminal == true, consoleSocket, detached);
        TerminalProxy? proxy = !detached && spec.Process?.Terminal == true ? TerminalProxy.Listen() : null;
        consoleSocket ??= proxy?.SocketPath;
        List<string> warnings = [];
        SpawnPlan plan = SpawnPlanFactory.Create(spec, bundle, warnings, SeccompCacheFor(spec, store));
        foreach (string warning in warnings)
        {
            RuntimeLog.Warning(warning);
        }

        string directory;
        ICgroupManager cgroup;
        LinuxResources resources;
        try
        {
            // Resolving the path validates it before anything exists; Create validates the resources
            // completely before its first mkdir.
            cgroup = ContainerCgroups.Open(spec, id);
            resources = ContainerCgroups.ResourcesOf(spec);
            directory = store.Create(id);
        }
        catch
        {
            proxy?.Dispose();
            throw;
        }

        bool ownsCgroup = false;
        try
        {
            // Created before the clone (not between clone and release), so the waiting child only
            // costs the move; another container's existing cgroup is joined, as runc does.
            notifySocket?.CreateDirectory();
            if (!waitForStart)
            {
                // run: bound before the container's process can send to it (create leaves this to start).
                notifySocket?.Bind();
            }

            ownsCgroup = !cgroup.Exists();
            cgroup.Create(resources);
            plan = CgroupMounts.Expand(plan, cgroup);
            string? fifo = null;
            if (waitForStart)
            {
                fifo = store.FifoOf(id);
                Interop.ThrowOnError(Interop.MkFifo(fifo, 0x180), "mkfifo", fifo);
                File.SetUnixFileMode(fifo, FifoMode);
            }

            ContainerRecord record = new()
            {
                Id = id,
                OciVersion = spec.OciVersion,
                Bundle = bundle,
                Rootfs = plan.RootfsPath ?? "/",
                Created = DateTime.UtcNow,
                Annotations = spec.Annotations,
                CgroupPath = cgroup.Path,
                Resources = resources,
            };
            int listenFds = SocketActivation.ListenFds();
            SpawnPlan withRuntimeOptions = plan with
            {
                ExecFifoPath = fifo,
                NoPivotRoot = line.Switch("--no-pivot"),
                SessionKeyring = line.Switch("--no-new-keyring") ? null : "_ses." + id,
                BeforePivotRoot = ContainerHooks.NeedsCreateStep(spec) ? pid => ContainerHooks.Created(spec, record, pid) : null,
                ContainerHookState = ContainerHooks.InContainerState(spec, record),
                PreserveFds = listenFds + line.IntOption("--preserve-fds", 0),
                Env = SocketActivation.WithVariables(plan.Env, listenFds),
                SeccompAgentState = plan.Seccomp?.UsesNotify == true
                    ? new Oci.Runtime.State { OciVersion = spec.OciVersion, Id = id, Status = Oci.Runtime.ContainerStatus.Creating, Bundle = bundle, Annotations = spec.Annotations }
                    : null,
                ConsoleSocketPath = consoleSocket,
                WhileChildFinishes = pid =>
                {
                    // state.json's write (temp + rename) runs while the child pivots and execs towards the fifo; a
                    // setup failure after this still removes the whole state directory below.
                    record.Pid = pid;
                    record.PidStartTime = ContainerStore.StartTimeOf(pid) ?? 0;
                    store.Save(record);
                },
            };

            SpawnedProcess process = new ContainerSpawner(new CgroupPlacer(cgroup)) { Reserve = Shim.InProcessRuntime.Namespaces }.Spawn(withRuntimeOptions);
            proxy?.Receive();
            ContainerHooks.Keep(store, id, configPath, spec);
            if (line.Option("--pid-file") is string pidFile)
            {
                PidFile.Write(pidFile, process.Pid);
            }

            terminal = proxy;
            notify = notifySocket;
            return (record, process);
        }
        catch (ContainersException)
        {
            // The spawner has killed and reaped the child; only a cgroup this launch made is removed.
            if (ownsCgroup && cgroup.Exists())
            {
                try
                {
                    cgroup.Destroy();
                }
                catch (CgroupException ex)
                {
                    // The start failure is the error to report; the leftover directory is named.
                    RuntimeLog.Warning(ex.Message);
                }
            }

            proxy?.Dispose();
            notifySocket?.Dispose();
            Directory.Delete(directory, recursive: true);
            throw;
        }
    }

    /// <summary>
    /// Compiled seccomp programs kept under the state root, as crun keeps them, so that containers with the same
    /// profile skip the compiler. The name cannot be a container id ('@'), so it never collides with one.
    /// </summary>
    internal static Linux.Seccomp.SeccompProgramCache? SeccompCacheFor(Spec spec, ContainerStore store)
    {
        if (spec.Linux?.Seccomp is null)
        {
            return null;
        }

        const UnixFileMode PrivateDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        Directory.CreateDirectory(store.Root, PrivateDirectory);
        string directory = Path.Combine(store.Root, "@seccomp-cache");
        Directory.CreateDirectory(directory, PrivateDirectory);
        return new Linux.Seccomp.SeccompProgramCache(directory);
    }

    /// <summary>runc's checkTerminal rules, with runc's messages, before anything is created.</summary>
    internal static void CheckTerminal(bool terminal, string? consoleSocket, bool detached)
    {
        if (detached && terminal && consoleSocket is null)
        {
            throw new UsageException("cannot allocate tty if runcs will detach without setting console socket");
        }

        if ((!detached || !terminal) && consoleSocket is not null)
        {
            throw new UsageException("cannot use console socket if runcs will not detach or allocate tty");
        }
    }
}
