namespace Containers.Linux.Runtime;

/// <summary>
/// The steps of the container child, in the order it runs them. The child reports a failure as
/// (step, errno, index) over its close-on-exec status pipe, so the parent can say exactly what failed.
/// </summary>
public enum ChildStep
{
    /// <summary>Waiting for the parent's go byte (the parent died or aborted the start).</summary>
    AwaitRelease = 1,

    /// <summary>setsid(2).</summary>
    Setsid,

    /// <summary>Making the mount tree slave/private (rootfsPropagation).</summary>
    RootPropagation,

    /// <summary>Bind-mounting the rootfs onto itself.</summary>
    RootBind,

    /// <summary>Opening the rootfs or the host root.</summary>
    OpenRoot,

    /// <summary>Opening the exec fifo before the pivot.</summary>
    OpenExecFifo,

    /// <summary>Resolving or creating a mount target inside the rootfs (index = mount number).</summary>
    MountTarget,

    /// <summary>mount(2) of a spec mount (index = mount number).</summary>
    Mount,

    /// <summary>Applying a bind mount's flags with mount_setattr(2) (index = mount number).</summary>
    MountAttributes,

    /// <summary>Changing a mount's propagation (index = mount number).</summary>
    MountPropagation,

    /// <summary>Creating a device node (index = device number).</summary>
    Device,

    /// <summary>Creating a /dev symlink (index = link number).</summary>
    DeviceSymlink,

    /// <summary>pivot_root(2) into the rootfs.</summary>
    PivotRoot,

    /// <summary>Detaching the old root.</summary>
    UnmountOldRoot,

    /// <summary>sethostname(2).</summary>
    Hostname,

    /// <summary>setdomainname(2).</summary>
    Domainname,

    /// <summary>Writing a sysctl under /proc/sys (index = sysctl number).</summary>
    Sysctl,

    /// <summary>/dev/null in the container is not the character device 1:3 (errno EPERM) or cannot be opened.</summary>
    CheckDevNull,

    /// <summary>Masking a path (index = masked path number).</summary>
    MaskPath,

    /// <summary>Making a path read-only (index = readonly path number).</summary>
    ReadonlyPath,

    /// <summary>Making the root read-only.</summary>
    RootReadonly,

    /// <summary>prlimit64(2) (index = rlimit number).</summary>
    ResourceLimit,

    /// <summary>PR_SET_NO_NEW_PRIVS.</summary>
    NoNewPrivileges,

    /// <summary>Dropping a capability from the bounding set (index = capability).</summary>
    CapabilityBounding,

    /// <summary>PR_SET_KEEPCAPS.</summary>
    KeepCapabilities,

    /// <summary>setgroups(2).</summary>
    SetGroups,

    /// <summary>setresgid(2).</summary>
    SetGid,

    /// <summary>setresuid(2).</summary>
    SetUid,

    /// <summary>capset(2).</summary>
    Capset,

    /// <summary>Setting the ambient capabilities (index = capability).</summary>
    AmbientCapabilities,

    /// <summary>seccomp(SECCOMP_SET_MODE_FILTER) refused the filter (EINVAL: bad program or flags; EACCES: no CAP_SYS_ADMIN without no_new_privs).</summary>
    Seccomp,

    /// <summary>Handing the seccomp notify fd to the parent, or the parent handing it to the agent at listenerPath.</summary>
    SeccompNotify,

    /// <summary>chdir(2) to the process cwd.</summary>
    Chdir,

    /// <summary>The cwd is not inside the container's root after chdir (CVE-2024-21626).</summary>
    CwdOutsideRoot,

    /// <summary>Opening the exec fifo for writing (the container waits here until start).</summary>
    AwaitStart,

    /// <summary>close_range(2) before execve.</summary>
    CloseRange,

    /// <summary>Resetting the signal mask.</summary>
    SignalMask,

    /// <summary>execve(2) of the container's program (ENOENT: not found on PATH).</summary>
    Execve,

    /// <summary>unshare(CLONE_NEWCGROUP) once the child is in its cgroup (after its root is set up).</summary>
    CgroupNamespace,

    /// <summary>
    /// Setting up the terminal (index: 0 open /dev/ptmx, 1 unlock, 2 open the slave, 3 consoleSize,
    /// 4 /dev/console, 5 send the master over the console socket, 6 stdio, 7 controlling terminal).
    /// </summary>
    Console,

    /// <summary>Making the prepared descriptor stdin (a hook's state).</summary>
    Stdin,

    /// <summary>setns(2) into a joined namespace (index = position in the join order: user first).</summary>
    JoinNamespace,

    /// <summary>The second clone of an exec, which puts the process in the container's pid namespace.</summary>
    ExecClone,

    /// <summary>Not a failure: the first child of a two-step clone reports the second's host pid (in the index).</summary>
    Cloned = 99,

    /// <summary>
    /// A createContainer hook (index = hook number; errno ETIMEDOUT: killed at its timeout, 0: see the exit status;
    /// a hook that cannot be executed exits with 127).
    /// </summary>
    CreateContainerHook = 60,

    /// <summary>A startContainer hook (as <see cref="CreateContainerHook"/>).</summary>
    StartContainerHook = 61,

    /// <summary>Reading the hooks' state from the parent, or starting a hook (pipe, clone3, wait).</summary>
    HookSetUp = 62,

    /// <summary>The time namespace (index: 0 unshare, 1 open timens_offsets, 2 write the offsets, 3 enter it).</summary>
    TimeNamespace = 63,

    /// <summary>Joining the new session keyring (index 0) or setting its permissions (1).</summary>
    SessionKeyring = 64,

    /// <summary>--no-pivot (index: 0 hiding a host proc/sysfs mount, 1 MS_MOVE onto "/", 2 chroot, 3 chdir).</summary>
    MoveRoot = 65,

    /// <summary>
    /// Finding the executable before the start wait, as runc's init does (so a missing command is a create-time
    /// error). Index: 0 not found on the PATH, 1 a path that cannot be stat'ed, 2 a path that is not an executable file.
    /// </summary>
    ExecLookup = 66,

    /// <summary>Creating a missing process.cwd inside the container (runc creates it, mode 0755, as root).</summary>
    CreateCwd = 67,

    /// <summary>Writing the process's LSM exec label (index: the <see cref="SpawnPlan.SecurityLabels"/> entry; opening or writing its attr file).</summary>
    SecurityLabel = 68,

    /// <summary>Applying a mount's recursive attributes (rro, rnosuid, rnoatime…) with mount_setattr(2) and AT_RECURSIVE (index = mount number).</summary>
    MountRecursiveAttributes = 69,

    /// <summary>Joining its own cgroup: writing "0" to the v1 hierarchy's <c>tasks</c> file (index = the placement fd).</summary>
    CgroupPlacement = 70,

    /// <summary>Not a failure: the container is set up and waits for start.</summary>
    Ready = 100,

    /// <summary>Not a failure: the mounts are done and the child waits before pivot_root for the parent's hooks.</summary>
    HooksReady = 101,
}
