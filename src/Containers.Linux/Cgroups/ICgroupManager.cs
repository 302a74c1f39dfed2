using Containers.Oci.Runtime;
using Microsoft.Win32.SafeHandles;

namespace Containers.Linux.Cgroups;

/// <summary>
/// One container's cgroup across every hierarchy of the host. Obtained from
/// <see cref="CgroupManager.Open(CgroupLayout, string)"/>; nothing touches the file system until
/// <see cref="Create"/>. The engine's order is: <see cref="Create"/> (validates the resources
/// first, then makes the directories and applies them), place the child
/// (<see cref="AddProcess"/> on v1 before releasing it, or clone3 CLONE_INTO_CGROUP with
/// <see cref="OpenUnifiedDirectory"/> on v2), then freeze/thaw, stats, kill and, off the start
/// path, <see cref="Destroy"/>.
/// </summary>
public interface ICgroupManager
{
    /// <summary>The resolved cgroup path (e.g. <c>/containers-dotnet/web</c>), the same in every hierarchy.</summary>
    string Path { get; }

    /// <summary>The host's cgroup mode this manager drives.</summary>
    CgroupMode Mode { get; }

    /// <summary>The directory of the cgroup in each hierarchy: v1 controller name (or the empty key for cgroup2) → path.</summary>
    IReadOnlyDictionary<string, string> Directories { get; }

    /// <summary>
    /// Validates <paramref name="resources"/> completely, then creates the cgroup in every
    /// hierarchy, applies the resources and, when given, moves <paramref name="pid"/> in.
    /// Nothing is created when validation fails.
    /// </summary>
    /// <exception cref="InvalidSpecException">A resource value is invalid; names the JSON field.</exception>
    /// <exception cref="UnsupportedException">A resource this host cannot provide (e.g. unified on v1).</exception>
    /// <exception cref="CgroupException">The kernel refused a write.</exception>
    void Create(LinuxResources? resources = null, int? pid = null);

    /// <summary>Applies (or updates, live) resource limits; validates everything before the first write.</summary>
    void Apply(LinuxResources resources);

    /// <summary>Moves a process (all its threads) into the cgroup in every hierarchy.</summary>
    void AddProcess(int pid);

    /// <summary>
    /// Opens the cgroup2 directory with O_PATH|O_DIRECTORY|O_CLOEXEC for clone3's
    /// CLONE_INTO_CGROUP. On a hybrid host the fd places the child in the (controller-less)
    /// cgroup2 hierarchy only; v1 controllers still need <see cref="AddProcess"/>.
    /// </summary>
    /// <exception cref="UnsupportedException">The host has no cgroup2 mount.</exception>
    SafeFileHandle OpenUnifiedDirectory();

    /// <summary>Stops every process in the cgroup and waits until the kernel reports them frozen.</summary>
    void Freeze();

    /// <summary>Resumes the cgroup's processes.</summary>
    void Thaw();

    /// <summary>The freezer state.</summary>
    CgroupFreezerState GetFreezerState();

    /// <summary>Usage statistics (the <c>runc events --stats</c> shape).</summary>
    CgroupStats GetStats();

    /// <summary>The processes in the cgroup (not its descendants).</summary>
    IReadOnlyList<int> GetPids();

    /// <summary>
    /// Sends <paramref name="signal"/> to every process. SIGKILL uses cgroup.kill where the kernel
    /// has it; otherwise the cgroup is frozen, each process signalled, and thawed, so that none
    /// can fork away meanwhile.
    /// </summary>
    void KillAll(int signal = 9);

    /// <summary>How many processes the OOM killer has killed in this cgroup.</summary>
    ulong GetOomKillCount();

    /// <summary>
    /// Yields a running OOM count each time the kernel reports an OOM event: the oom_kill counter,
    /// or on v1 the number of notifications when that is larger (v1: memory.oom_control
    /// through cgroup.event_control and an eventfd; v2: memory.events through inotify). Ends when
    /// the cgroup is removed or <paramref name="cancellationToken"/> fires.
    /// </summary>
    IAsyncEnumerable<ulong> WatchOomEventsAsync(CancellationToken cancellationToken = default);

    /// <summary>True when the cgroup directory exists in at least one hierarchy.</summary>
    bool Exists();

    /// <summary>
    /// Removes the cgroup from every hierarchy (rmdir, retried while the last tasks exit). The
    /// cgroup must be empty; call <see cref="KillAll"/> first. Never on the start path.
    /// </summary>
    void Destroy();
}
