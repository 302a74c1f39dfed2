using System.Runtime.InteropServices;

namespace Containers.Linux.Runtime;

/// <summary>
/// Everything the container child needs, laid out in unmanaged memory before the clone, so the
/// child reads plain memory and never touches the managed heap, statics or the runtime.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct ChildProgram
{
    /// <summary>libc's <c>syscall</c>, resolved before the clone.</summary>
    public delegate* unmanaged[SuppressGCTransition]<long, long, long, long, long, long, long, long> Syscall;

    /// <summary>libc's <c>__errno_location</c>, resolved before the clone.</summary>
    public delegate* unmanaged[SuppressGCTransition]<int*> ErrnoLocation;

    /// <summary>System call numbers of this architecture.</summary>
    public Interop.SyscallTable Nr;

    /// <summary>Child's end of the status pipe (write).</summary>
    public int StatusFd;

    /// <summary>Parent's end of the status pipe, closed first thing in the child.</summary>
    public int StatusParentFd;

    /// <summary>Child's end of the release pipe (read).</summary>
    public int ReleaseFd;

    /// <summary>Parent's end of the release pipe, closed first thing in the child.</summary>
    public int ReleaseParentFd;

    /// <summary>
    /// 1 when the child waits for a second byte ("P") on the release pipe, sent once the parent has
    /// placed it in its cgroup, before it does anything of the container's own.
    /// </summary>
    public int AwaitPlacement;

    /// <summary>clone3 flags (namespaces).</summary>
    public ulong CloneFlags;

    /// <summary>
    /// 1 when the child unshares its cgroup namespace after release: a namespace made at the clone
    /// would be rooted at the spawner's cgroup, not the container's, which the parent places it in.
    /// </summary>
    public int UnshareCgroup;

    /// <summary>1 when the child sets up a root filesystem (a new mount namespace).</summary>
    public int SetUpRootfs;

    /// <summary>1 when the root is remounted read-only.</summary>
    public int RootReadonly;

    /// <summary>Flags for mount(NULL, "/", NULL, flags) (MS_SLAVE|MS_REC by default).</summary>
    public ulong RootPropagation;

    /// <summary>Absolute host path of the rootfs.</summary>
    public byte* Rootfs;

    /// <summary>Spec mounts in order.</summary>
    public ChildMount* Mounts;

    /// <summary>Number of <see cref="Mounts"/>.</summary>
    public long MountCount;

    /// <summary>Device nodes to create.</summary>
    public ChildDevice* Devices;

    /// <summary>Number of <see cref="Devices"/>.</summary>
    public long DeviceCount;

    /// <summary>/dev symlinks to create.</summary>
    public ChildSymlink* DevSymlinks;

    /// <summary>Number of <see cref="DevSymlinks"/>.</summary>
    public long DevSymlinkCount;

    /// <summary>The string <c>dev</c>.</summary>
    public byte* DevDirectory;

    /// <summary>Container paths to mask.</summary>
    public byte** MaskedPaths;

    /// <summary>Number of <see cref="MaskedPaths"/>.</summary>
    public long MaskedPathCount;

    /// <summary>Container paths to make read-only.</summary>
    public byte** ReadonlyPaths;

    /// <summary>Number of <see cref="ReadonlyPaths"/>.</summary>
    public long ReadonlyPathCount;

    /// <summary>Sysctl files (/proc/sys/…) to write.</summary>
    public byte** SysctlPaths;

    /// <summary>Values for <see cref="SysctlPaths"/>.</summary>
    public byte** SysctlValues;

    /// <summary>Number of sysctls.</summary>
    public long SysctlCount;

    /// <summary>Hostname, or null.</summary>
    public byte* Hostname;

    /// <summary>Length of <see cref="Hostname"/>.</summary>
    public long HostnameLength;

    /// <summary>Domain name, or null.</summary>
    public byte* Domainname;

    /// <summary>Length of <see cref="Domainname"/>.</summary>
    public long DomainnameLength;

    /// <summary>Resource limits.</summary>
    public ChildResourceLimit* ResourceLimits;

    /// <summary>Number of <see cref="ResourceLimits"/>.</summary>
    public long ResourceLimitCount;

    /// <summary>1 to set PR_SET_NO_NEW_PRIVS.</summary>
    public int NoNewPrivileges;

    /// <summary>Highest capability number the kernel knows (/proc/sys/kernel/cap_last_cap).</summary>
    public int LastCapability;

    /// <summary>Capability sets as bit masks.</summary>
    public ulong CapBounding, CapEffective, CapPermitted, CapInheritable, CapAmbient;

    /// <summary>The seccomp filter to install, or null.</summary>
    public ChildSeccomp* Seccomp;

    /// <summary>User and group ids.</summary>
    public uint Uid, Gid;

    /// <summary>Supplementary groups.</summary>
    public uint* Groups;

    /// <summary>Number of <see cref="Groups"/>.</summary>
    public long GroupCount;

    /// <summary>umask before execve.</summary>
    public long Umask;

    /// <summary>Working directory inside the container.</summary>
    public byte* Cwd;

    /// <summary>argv, null-terminated.</summary>
    public byte** Argv;

    /// <summary>envp, null-terminated.</summary>
    public byte** Envp;

    /// <summary>The value of PATH in the container's environment, or null.</summary>
    public byte* SearchPath;

    /// <summary>Host path of the exec fifo (create), or null (run).</summary>
    public byte* ExecFifo;

    /// <summary>Number of fds after stdio that survive into the container (--preserve-fds).</summary>
    public int PreserveFds;

    /// <summary>Padding.</summary>
    public int Reserved;

    /// <summary>Constant strings the child needs: empty, <c>/</c>, <c>.</c>, <c>/dev/null</c>, <c>/proc/self/fd/</c>, <c>tmpfs</c>.</summary>
    public byte* Empty, Slash, Dot, DevNull, ProcSelfFd, Tmpfs;

    /// <summary>Scratch buffers for paths the child composes (each <see cref="ScratchSize"/> bytes).</summary>
    public byte* Scratch1, Scratch2;

    /// <summary>32 zero bytes: a kernel sigaction with SIG_DFL, and an empty signal set.</summary>
    public byte* Zeroes;

    /// <summary>Connected console socket (runc's --console-socket) the pty master is sent over, or -1 for no terminal.</summary>
    public int ConsoleSocket;

    /// <summary>consoleSize: rows and columns (0 leaves the kernel's default).</summary>
    public ushort ConsoleRows, ConsoleColumns;

    /// <summary>The strings <c>/dev/ptmx</c> (opened, and sent as the message body as runc does) and <c>dev/console</c>.</summary>
    public byte* Ptmx, DevConsole;

    /// <summary>An fd the child makes its stdin before execve (a hook's state), or -1.</summary>
    public int StdinFd;

    /// <summary>Fds the child makes its stdout and stderr before execve (a hook's captured output), or -1.</summary>
    public int StdoutFd, StderrFd;

    /// <summary>/proc/thread-self/attr files written before execve (AppArmor's or SELinux's exec label), or null.</summary>
    public byte** SecurityLabelPaths;

    /// <summary>The values written to <see cref="SecurityLabelPaths"/>, one each.</summary>
    public byte** SecurityLabelValues;

    /// <summary>Number of <see cref="SecurityLabelPaths"/>.</summary>
    public long SecurityLabelCount;

    /// <summary>The file to execve when it differs from argv[0] (a hook's path), or null.</summary>
    public byte* ExecPath;

    /// <summary>Namespace fds to setns(2) into, in order (user first), or null.</summary>
    public int* JoinFds;

    /// <summary>Number of <see cref="JoinFds"/>.</summary>
    public long JoinCount;

    /// <summary>
    /// 1 for an exec: this child only joins the namespaces and clones the process (CLONE_PARENT) that
    /// runs the rest of the path in the container's pid namespace; see <c>ChildProcess.RunExec</c>.
    /// 2 for a container that joins a user or pid namespace by path, or joins any next to a new user namespace:
    /// the same two steps, and the second clone also creates the container's new namespaces, waits for "C" on
    /// the release pipe, then runs the init's path.
    /// </summary>
    public int ExecMode;

    /// <summary>1 when <see cref="JoinFds"/>[0] is a user namespace: after joining it the child becomes its root (setresuid/gid 0).</summary>
    public int JoinedUser;

    /// <summary>
    /// 1 when the child stops before pivot_root, reports <see cref="ChildStep.HooksReady"/> and waits for "H" on the
    /// release pipe: runc's procHooks point, where the parent runs prestart and createRuntime hooks.
    /// </summary>
    public int HookPause;

    /// <summary>1 for --no-pivot: the rootfs is moved onto "/" (MS_MOVE) and chroot'ed into instead of pivot_root.</summary>
    public int NoPivot;

    /// <summary>createContainer hooks, run by the child after the mounts, before pivot_root.</summary>
    public ChildHook* CreateContainerHooks;

    /// <summary>Number of <see cref="CreateContainerHooks"/>.</summary>
    public long CreateContainerHookCount;

    /// <summary>startContainer hooks, run by the child after start, just before execve.</summary>
    public ChildHook* StartContainerHooks;

    /// <summary>Number of <see cref="StartContainerHooks"/>.</summary>
    public long StartContainerHookCount;

    /// <summary>Read end of the pipe the parent writes the hooks' two states to (length-prefixed), or -1.</summary>
    public int HookStateFd;

    /// <summary>The parent's end of that pipe, closed first thing in the child (or -1).</summary>
    public int HookStateParentFd;

    /// <summary>Buffer the child reads the states into (<see cref="HookStateCapacity"/> bytes).</summary>
    public byte* HookState;

    /// <summary>The state with status "creating" (createContainer) and with status "created" (startContainer).</summary>
    public byte* CreatingState, CreatedState;

    /// <summary>Lengths of <see cref="CreatingState"/> and <see cref="CreatedState"/>.</summary>
    public long CreatingStateLength, CreatedStateLength;

    /// <summary>The text written to /proc/self/timens_offsets after unshare(CLONE_NEWTIME), or null for no time namespace.</summary>
    public byte* TimeOffsets;

    /// <summary>The strings <c>/proc/self/timens_offsets</c> and <c>/proc/self/ns/time_for_children</c>.</summary>
    public byte* TimeOffsetsPath, TimeForChildrenPath;

    /// <summary>The session keyring to join (runc's <c>_ses.&lt;id&gt;</c>), or null to keep the caller's (--no-new-keyring).</summary>
    public byte* SessionKeyring;

    /// <summary>The permissions set on the joined keyring.</summary>
    public long SessionKeyringPermissions;

    /// <summary>Host mount points of full proc and sysfs mounts outside the rootfs, hidden before --no-pivot's chroot.</summary>
    public byte** HostPseudoMounts;

    /// <summary>Number of <see cref="HostPseudoMounts"/>.</summary>
    public long HostPseudoMountCount;

    /// <summary>
    /// Open <c>tasks</c> files (O_WRONLY) of the container's cgroup in each v1 hierarchy: the child writes "0"
    /// to each right after its release, moving itself (one thread: the whole process) without the global
    /// threadgroup lock a pid written to <c>cgroup.procs</c> takes (see <see cref="CgroupSelfPlacement"/>); null when the parent places it.
    /// </summary>
    public int* PlacementFds;

    /// <summary>Number of <see cref="PlacementFds"/>.</summary>
    public long PlacementFdCount;

    /// <summary>The string <c>0</c> written to <see cref="PlacementFds"/>.</summary>
    public byte* Zero;

    /// <summary>Capacity of <see cref="HookState"/> (both states with their length prefixes fit in a pipe).</summary>
    public const int HookStateCapacity = 60 * 1024;

    /// <summary>Size of each scratch buffer.</summary>
    public const int ScratchSize = 4096;
}
