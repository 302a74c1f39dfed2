using System.Globalization;

namespace Containers.Linux.Runtime;

/// <summary>
/// Open namespace descriptors the child setns(2)es into, in runc's order (user first, so the others are
/// joined with the capabilities the user namespace grants). Opened and type-checked in the spawner before
/// the clone; the child only calls setns on the numbers.
/// </summary>
internal sealed class JoinedNamespaces : IDisposable
{
    /// <summary>The join order: user, then ipc, uts, net, cgroup, mnt, pid, time (runc's nsexec order).</summary>
    private static readonly (ContainerNamespaces Type, string Name, ulong CloneFlag, ulong PidfdRequest)[] Order =
    [
        (ContainerNamespaces.User, "user", Interop.CLONE_NEWUSER, Interop.PIDFD_GET_USER_NAMESPACE),
        (ContainerNamespaces.Ipc, "ipc", Interop.CLONE_NEWIPC, Interop.PIDFD_GET_IPC_NAMESPACE),
        (ContainerNamespaces.Uts, "uts", Interop.CLONE_NEWUTS, Interop.PIDFD_GET_UTS_NAMESPACE),
        (ContainerNamespaces.Network, "net", Interop.CLONE_NEWNET, Interop.PIDFD_GET_NET_NAMESPACE),
        (ContainerNamespaces.Cgroup, "cgroup", Interop.CLONE_NEWCGROUP, Interop.PIDFD_GET_CGROUP_NAMESPACE),
        (ContainerNamespaces.Mount, "mnt", Interop.CLONE_NEWNS, Interop.PIDFD_GET_MNT_NAMESPACE),
        (ContainerNamespaces.Pid, "pid", Interop.CLONE_NEWPID, Interop.PIDFD_GET_PID_NAMESPACE),
        (ContainerNamespaces.Time, "time", Interop.CLONE_NEWTIME, Interop.PIDFD_GET_TIME_NAMESPACE),
    ];

    private readonly List<SafeFdHandle> _fds = [];

    /// <summary>The /proc/self/ns name and the clone flag of one namespace type.</summary>
    internal static (string Name, ulong CloneFlag) NameAndFlagOf(ContainerNamespaces type)
    {
        (_, string name, ulong flag, _) = Order.First(o => o.Type == type);
        return (name, flag);
    }

    private JoinedNamespaces()
    {
    }

    /// <summary>The types joined, in order.</summary>
    public List<ContainerNamespaces> Types { get; } = [];

    /// <summary>
    /// Whether the process must be cloned again after joining: a joined pid namespace applies only to children,
    /// and the container's new namespaces must be created inside a joined user namespace.
    /// </summary>
    public bool NeedsSecondClone => Types.Contains(ContainerNamespaces.User) || Types.Contains(ContainerNamespaces.Pid);

    /// <summary>Number of namespaces to join.</summary>
    public int Count => _fds.Count;

    /// <summary>Opens config.json's namespace paths and checks each is a namespace of the type it is listed as.</summary>
    /// <exception cref="InvalidSpecException">A path cannot be opened or is not a namespace file of its type.</exception>
    public static JoinedNamespaces OpenPaths(IReadOnlyList<NamespaceJoin> joins)
    {
        JoinedNamespaces result = new();
        try
        {
            foreach ((ContainerNamespaces type, string name, ulong cloneFlag, _) in Order)
            {
                foreach (NamespaceJoin join in joins.Where(j => j.Type == type))
                {
                    int fd = Interop.Open(join.Path, Interop.O_RDONLY | Interop.O_CLOEXEC, 0);
                    if (fd < 0)
                    {
                        throw new InvalidSpecException(join.JsonPath, $"cannot open {join.Path}: {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(System.Runtime.InteropServices.Marshal.GetLastPInvokeError())}");
                    }

                    SafeFdHandle handle = new(fd);
                    result.Add(handle, type);
                    long actual = NamespaceType(handle);
                    if (actual != (long)cloneFlag)
                    {
                        throw new InvalidSpecException(join.JsonPath, $"{join.Path} is not a {name} namespace");
                    }
                }
            }
        }
        catch
        {
            result.Dispose();
            throw;
        }

        return result;
    }

    /// <summary>
    /// Opens the namespaces of a running container's init that differ from the spawner's own (a namespace the
    /// container shares with the host is not joined: setns into one's own user namespace is an error). The
    /// process is pinned by a pidfd and checked against <paramref name="startTime"/> (field 22 of /proc/pid/stat),
    /// so a recycled pid is never joined.
    /// </summary>
    /// <exception cref="FailedPreconditionException">The init is gone, or the pid now names another process.</exception>
    public static JoinedNamespaces OpenOf(int initPid, ulong startTime)
    {
        string pid = initPid.ToString(CultureInfo.InvariantCulture);
        int raw = Interop.PidfdOpen(initPid);
        if (raw < 0)
        {
            throw new FailedPreconditionException($"the container's init (pid {pid}) is not running");
        }

        using SafeFdHandle pidfd = new(raw);
        CheckSameProcess(initPid, startTime);
        JoinedNamespaces result = new();
        try
        {
            bool viaProc = false;
            foreach ((ContainerNamespaces type, string name, _, ulong request) in Order)
            {
                string own = $"/proc/self/ns/{name}";
                if (!File.Exists(own))
                {
                    continue;
                }

                int fd = viaProc ? -1 : Interop.PidfdNamespace(pidfd.Fd, request);
                if (fd < 0 && !viaProc)
                {
                    int errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
                    if (errno is Interop.ESRCH)
                    {
                        throw new FailedPreconditionException($"the container's init (pid {pid}) is not running");
                    }

                    if (errno is not (Interop.ENOTTY or Interop.EINVAL))
                    {
                        throw new LinuxErrorException("ioctl(PIDFD_GET_NAMESPACE)", errno, name);
                    }

                    // Before Linux 6.11: /proc/<pid>/ns, with the liveness re-check below.
                    viaProc = true;
                }

                if (viaProc)
                {
                    fd = Interop.Open($"/proc/{pid}/ns/{name}", Interop.O_RDONLY | Interop.O_CLOEXEC, 0);
                    if (fd < 0)
                    {
                        throw new FailedPreconditionException($"the container's init (pid {pid}) is not running");
                    }
                }

                SafeFdHandle handle = new(fd);
                if (LinkOf($"/proc/self/fd/{fd.ToString(CultureInfo.InvariantCulture)}") == LinkOf(own))
                {
                    handle.Dispose();
                    continue;
                }

                result.Add(handle, type);
            }

            // The pidfd held the process; if it is still alive now, every /proc/<pid>/ns file opened above was its.
            CheckSameProcess(initPid, startTime);
        }
        catch
        {
            result.Dispose();
            throw;
        }

        return result;
    }

    /// <summary>
    /// Adds a namespace made ahead (<see cref="NamespaceReserve"/>), which this now owns, at its place in the join order.
    /// </summary>
    public void AddReserved(SafeFdHandle fd, ContainerNamespaces type)
    {
        int rank = Array.FindIndex(Order, o => o.Type == type);
        int at = Types.FindIndex(t => Array.FindIndex(Order, o => o.Type == t) > rank);
        at = at < 0 ? Types.Count : at;
        _fds.Insert(at, fd);
        Types.Insert(at, type);
    }

    /// <summary>Lays the descriptors out for the child.</summary>
    public unsafe void Fill(ChildProgram* p, NativeArena arena)
    {
        p->JoinCount = _fds.Count;
        p->JoinedUser = Types.Count > 0 && Types[0] == ContainerNamespaces.User ? 1 : 0;
        p->JoinFds = arena.Allocate<int>(_fds.Count);
        for (int i = 0; i < _fds.Count; i++)
        {
            p->JoinFds[i] = _fds[i].Fd;
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (SafeFdHandle fd in _fds)
        {
            fd.Dispose();
        }

        _fds.Clear();
    }

    private static void CheckSameProcess(int pid, ulong startTime)
    {
        if (ProcessIdentity.StartTimeOf(pid) != startTime)
        {
            throw new FailedPreconditionException($"the container's init (pid {pid.ToString(CultureInfo.InvariantCulture)}) is not running");
        }
    }

    private static unsafe long NamespaceType(SafeFdHandle fd) => Interop.Ioctl(fd.Fd, Interop.NS_GET_NSTYPE, null);

    private static string? LinkOf(string path) => new FileInfo(path).LinkTarget;

    private void Add(SafeFdHandle fd, ContainerNamespaces type)
    {
        _fds.Add(fd);
        Types.Add(type);
    }
}
