namespace Containers.Linux.Runtime;

/// <summary>
/// What the spawner does to start one container process: namespaces, root filesystem, identity,
/// capabilities, limits and the program. Built from a config.json by <c>SpawnPlanFactory</c>
/// or directly; it is compiled into unmanaged memory before the clone.
/// </summary>
public sealed record SpawnPlan
{
    /// <summary>argv; the first element is looked up on the container's PATH when it has no slash.</summary>
    public required IReadOnlyList<string> Args { get; init; }

    /// <summary>Environment as <c>NAME=value</c> strings.</summary>
    public IReadOnlyList<string> Env { get; init; } = [];

    /// <summary>Working directory inside the container.</summary>
    public string Cwd { get; init; } = "/";

    /// <summary>User id.</summary>
    public uint Uid { get; init; }

    /// <summary>Group id.</summary>
    public uint Gid { get; init; }

    /// <summary>Supplementary groups.</summary>
    public IReadOnlyList<uint> AdditionalGids { get; init; } = [];

    /// <summary>umask for the process (0022 when the spec gives none, as runc).</summary>
    public uint Umask { get; init; } = 0x12;

    /// <summary>Sets PR_SET_NO_NEW_PRIVS.</summary>
    public bool NoNewPrivileges { get; init; }

    /// <summary>Capability bounding set as a bit mask (bit n = capability n).</summary>
    public ulong CapabilityBounding { get; init; }

    /// <summary>Effective capabilities.</summary>
    public ulong CapabilityEffective { get; init; }

    /// <summary>Permitted capabilities.</summary>
    public ulong CapabilityPermitted { get; init; }

    /// <summary>Inheritable capabilities (empty unless the spec sets them).</summary>
    public ulong CapabilityInheritable { get; init; }

    /// <summary>Ambient capabilities (empty unless the spec sets them).</summary>
    public ulong CapabilityAmbient { get; init; }

    /// <summary>
    /// The compiled seccomp filter, or <see langword="null"/>. The child installs it as late as runc does: just
    /// before waiting for start and execve, or — without <see cref="NoNewPrivileges"/>, when installing needs
    /// CAP_SYS_ADMIN — before it drops capabilities and switches user.
    /// </summary>
    public Seccomp.SeccompProgram? Seccomp { get; init; }

    /// <summary>
    /// The container's state sent with the notify fd to the seccomp agent at <c>listenerPath</c> (pid and status
    /// "creating" are filled in by the spawner); required when <see cref="Seccomp"/> uses SCMP_ACT_NOTIFY.
    /// </summary>
    public Oci.Runtime.State? SeccompAgentState { get; init; }

    /// <summary>oom_score_adj of the process (written by the spawner before it releases the child), or <see langword="null"/> to inherit.</summary>
    public int? OomScoreAdj { get; init; }

    /// <summary>Namespaced sysctls (<c>net.ipv4.ip_forward</c> → value), written inside the container before read-only paths apply.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Sysctls { get; init; } = [];

    /// <summary>Resource limits.</summary>
    public IReadOnlyList<ResourceLimit> ResourceLimits { get; init; } = [];

    /// <summary>New namespaces.</summary>
    public ContainerNamespaces Namespaces { get; init; }

    /// <summary>Existing namespaces joined instead of new ones (linux.namespaces[].path); user first, then the rest.</summary>
    public IReadOnlyList<NamespaceJoin> JoinNamespaces { get; init; } = [];

    /// <summary>uid_map of the new user namespace (required with <see cref="ContainerNamespaces.User"/>).</summary>
    public IReadOnlyList<IdMapping> UidMappings { get; init; } = [];

    /// <summary>gid_map of the new user namespace (required with <see cref="ContainerNamespaces.User"/>).</summary>
    public IReadOnlyList<IdMapping> GidMappings { get; init; } = [];

    /// <summary>Hostname (requires a UTS namespace), or <see langword="null"/>.</summary>
    public string? Hostname { get; init; }

    /// <summary>Domain name (requires a UTS namespace), or <see langword="null"/>.</summary>
    public string? Domainname { get; init; }

    /// <summary>Absolute host path of the root filesystem; <see langword="null"/> runs in the host's mount tree.</summary>
    public string? RootfsPath { get; init; }

    /// <summary>Remounts the container's root read-only.</summary>
    public bool RootfsReadonly { get; init; }

    /// <summary>rootfsPropagation: <c>slave</c>, <c>rslave</c> (default), <c>private</c> or <c>rprivate</c>.</summary>
    public string? RootfsPropagation { get; init; }

    /// <summary>Mounts, in order.</summary>
    public IReadOnlyList<MountRequest> Mounts { get; init; } = [];

    /// <summary>Device nodes besides <see cref="DeviceNode.Defaults"/>.</summary>
    public IReadOnlyList<DeviceNode> Devices { get; init; } = [];

    /// <summary>Paths hidden from the container (bind of /dev/null, or an empty read-only tmpfs for directories).</summary>
    public IReadOnlyList<string> MaskedPaths { get; init; } = [];

    /// <summary>Paths made read-only.</summary>
    public IReadOnlyList<string> ReadonlyPaths { get; init; } = [];

    /// <summary>Host path of a fifo the child opens for writing before execve (the create/start split), or <see langword="null"/>.</summary>
    public string? ExecFifoPath { get; init; }

    /// <summary>Number of descriptors after stdio passed to the container (runc's --preserve-fds).</summary>
    public int PreserveFds { get; init; }

    /// <summary>
    /// process.terminal: the process gets a new pty as its stdio and controlling terminal; the
    /// master is sent over <see cref="ConsoleSocketPath"/>, which is then required.
    /// </summary>
    public bool Terminal { get; init; }

    /// <summary>A unix stream socket that receives the pty master with SCM_RIGHTS (runc's --console-socket protocol).</summary>
    public string? ConsoleSocketPath { get; init; }

    /// <summary>process.consoleSize.height in rows (0: the kernel's default).</summary>
    public ushort ConsoleHeight { get; init; }

    /// <summary>process.consoleSize.width in columns (0: the kernel's default).</summary>
    public ushort ConsoleWidth { get; init; }

    /// <summary>The file to execute when it is not <see cref="Args"/>[0] (a hook's path); absolute.</summary>
    public string? ExecPath { get; init; }

    /// <summary>
    /// Called in the spawner with the child's pid when the child has created its namespaces and done its mounts and
    /// waits before pivot_root — runc's procHooks point, where prestart and createRuntime hooks run. The child goes
    /// on when it returns; an exception kills and reaps the child and propagates out of the spawn.
    /// </summary>
    public Action<int>? BeforePivotRoot { get; init; }

    /// <summary>
    /// Called in the spawner with the init's pid once the child is in its cgroup and released to finish its setup, before
    /// the spawner waits for it: work that needs the pid (runcs writes and fsyncs state.json here) overlaps the child's
    /// pivot_root, rlimits and user switch on another core instead of following them. An exception kills and reaps the
    /// child and propagates out of the spawn.
    /// </summary>
    public Action<int>? WhileChildFinishes { get; init; }

    /// <summary>createContainer hooks: run by the container's init after its mounts, before pivot_root, with the rootfs as cwd.</summary>
    public IReadOnlyList<Oci.Runtime.Hook> CreateContainerHooks { get; init; } = [];

    /// <summary>startContainer hooks: run by the container's init after start, as the container's user, just before execve.</summary>
    public IReadOnlyList<Oci.Runtime.Hook> StartContainerHooks { get; init; } = [];

    /// <summary>
    /// The state the createContainer and startContainer hooks get on stdin (the spawner fills in the pid, and the status
    /// "creating" and "created" as runc passes them); required when there are such hooks.
    /// </summary>
    public Oci.Runtime.State? ContainerHookState { get; init; }

    /// <summary>runc's --no-pivot: move the rootfs onto "/" and chroot instead of pivot_root.</summary>
    public bool NoPivotRoot { get; init; }

    /// <summary>The session keyring the process joins (runc's <c>_ses.&lt;id&gt;</c>), or <see langword="null"/> to keep the caller's (--no-new-keyring).</summary>
    public string? SessionKeyring { get; init; }

    /// <summary>A new time namespace (linux.namespaces type "time").</summary>
    public bool NewTimeNamespace { get; init; }

    /// <summary>Offsets of the new time namespace's clocks (<c>monotonic</c>, <c>boottime</c>), from linux.timeOffsets.</summary>
    public IReadOnlyList<KeyValuePair<string, Oci.Runtime.LinuxTimeOffset>> TimeOffsets { get; init; } = [];

    /// <summary>A descriptor of the spawner the process gets as stdin, or -1 (inherit).</summary>
    internal int StdinFd { get; init; } = -1;

    /// <summary>A descriptor of the spawner the process gets as stdout, or -1 (inherit).</summary>
    internal int StdoutFd { get; init; } = -1;

    /// <summary>A descriptor of the spawner the process gets as stderr, or -1 (inherit).</summary>
    internal int StderrFd { get; init; } = -1;

    /// <summary>LSM exec labels (process.apparmorProfile, process.selinuxLabel) written just before the process's own setup.</summary>
    public IReadOnlyList<ProcessSecurityLabel> SecurityLabels { get; init; } = [];
}
