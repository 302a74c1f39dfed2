using Containers.Linux.Cgroups;

namespace Containers.Linux.Runtime;

/// <summary>
/// Puts a new container child in its cgroup without the parent writing its pid anywhere. A pid written to
/// <c>cgroup.procs</c> (v1 or v2) takes the kernel's global threadgroup lock for writing, and the first such
/// write after a quiet spell waits for an RCU grace period: 6–20 ms on this host under load, measured as the
/// largest single step of a container's create. A task that moves itself through a v1 <c>tasks</c> file
/// ("0" = the writer's own thread) skips that lock, and clone3's CLONE_INTO_CGROUP places a child in a
/// cgroup2 directory under the lock's read side only. The child is single-threaded right after the clone, so
/// moving its one thread moves the process, and it does so first thing after its release — before anything
/// of the container's runs, as with <see cref="ICgroupPlacer.Place"/>. The parent opens the files (with the
/// host's credentials, checked at open for v1) before the clone; the child inherits them and closes each
/// after its write. Used only for a plain create (no user namespace, no joined namespaces, not an exec);
/// anything else, or any file that cannot be opened, keeps <see cref="ICgroupPlacer.Place"/>.
/// </summary>
internal sealed unsafe class CgroupSelfPlacement : IDisposable
{
    private const ulong CLONE_INTO_CGROUP = 0x200000000UL;
    private readonly List<SafeFdHandle> _tasks;
    private readonly Microsoft.Win32.SafeHandles.SafeFileHandle? _unified;

    private CgroupSelfPlacement(List<SafeFdHandle> tasks, Microsoft.Win32.SafeHandles.SafeFileHandle? unified)
    {
        _tasks = tasks;
        _unified = unified;
    }

    /// <summary>Opens the container's v1 <c>tasks</c> files and its cgroup2 directory, or returns null (use Place) on a unified host or any failure.</summary>
    public static CgroupSelfPlacement? TryOpen(ICgroupManager cgroup)
    {
        if (cgroup.Mode == CgroupMode.Unified)
        {
            return null; // cgroup2 only: Place, as measured and tested so far
        }

        List<SafeFdHandle> tasks = [];
        Microsoft.Win32.SafeHandles.SafeFileHandle? unified = null;
        try
        {
            foreach (KeyValuePair<string, string> entry in cgroup.Directories.DistinctBy(e => e.Value, StringComparer.Ordinal))
            {
                if (entry.Key.Length == 0)
                {
                    unified = cgroup.OpenUnifiedDirectory();
                    continue;
                }

                int fd = Interop.Cgroups.Open(Path.Combine(entry.Value, "tasks"), Interop.Cgroups.O_WRONLY | Interop.Cgroups.O_CLOEXEC);
                if (fd < 0)
                {
                    throw new CgroupException(entry.Value, "cannot open tasks");
                }

                tasks.Add(new SafeFdHandle(fd));
            }

            return new CgroupSelfPlacement(tasks, unified);
        }
        catch (Exception ex) when (ex is CgroupException or UnsupportedException)
        {
            foreach (SafeFdHandle handle in tasks)
            {
                handle.Dispose();
            }

            unified?.Dispose();
            return null;
        }
    }

    /// <summary>Gives the child program the fds to write "0" to.</summary>
    public void Fill(ChildProgram* program, NativeArena arena)
    {
        program->PlacementFdCount = _tasks.Count;
        program->PlacementFds = _tasks.Count == 0 ? null : arena.Allocate<int>(_tasks.Count);
        for (int i = 0; i < _tasks.Count; i++)
        {
            program->PlacementFds[i] = _tasks[i].Fd;
        }

        program->Zero = arena.String("0", string.Empty);
        program->AwaitPlacement = 0;
    }

    /// <summary>Adds CLONE_INTO_CGROUP with the cgroup2 directory, when there is one.</summary>
    public void Apply(Interop.CloneArgs* args)
    {
        if (_unified is not null)
        {
            args->Flags |= CLONE_INTO_CGROUP;
            args->Cgroup = (ulong)_unified.DangerousGetHandle();
        }
    }

    public void Dispose()
    {
        foreach (SafeFdHandle handle in _tasks)
        {
            handle.Dispose();
        }

        _unified?.Dispose();
    }
}
