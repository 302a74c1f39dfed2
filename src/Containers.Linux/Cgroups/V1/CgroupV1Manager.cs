using System.Collections.ObjectModel;
using System.Globalization;
using Containers.Oci.Runtime;
using Microsoft.Win32.SafeHandles;

namespace Containers.Linux.Cgroups;

/// <summary>
/// The cgroup v1 manager (legacy and hybrid hosts), after runc's cgroupfs driver: one directory
/// per mounted hierarchy (co-mounted controllers share one), plus the cgroup2 hierarchy on hybrid
/// hosts so the engine can use cgroup.kill, cgroup.events and CLONE_INTO_CGROUP there.
/// Resources of controllers the host does not mount are skipped, as runc skips them.
/// </summary>
internal sealed partial class CgroupV1Manager : ICgroupManager
{
    private readonly Dictionary<string, string> _directories = new(StringComparer.Ordinal);

    public CgroupV1Manager(CgroupLayout layout, string cgroupPath)
    {
        Path = cgroupPath;
        Mode = layout.Mode;
        foreach ((string controller, string mountPoint) in layout.V1MountPoints)
        {
            _directories[controller] = CgroupPath.Join(mountPoint, cgroupPath);
        }

        if (layout.UnifiedMountPoint is string unified)
        {
            _directories[string.Empty] = CgroupPath.Join(unified, cgroupPath);
        }

        Directories = new ReadOnlyDictionary<string, string>(_directories);
    }

    public string Path { get; }

    public CgroupMode Mode { get; }

    public IReadOnlyDictionary<string, string> Directories { get; }

    private IEnumerable<string> DistinctDirectories => _directories.Values.Distinct(StringComparer.Ordinal);

    public void Create(LinuxResources? resources = null, int? pid = null)
    {
        CgroupResources? mapped = resources is null ? null : CgroupResourcesMapper.Map(resources, Mode);
        if (mapped is not null)
        {
            RequireControllers(mapped);
        }

        List<string> created = [];
        try
        {
            foreach (string directory in DistinctDirectories)
            {
                List<string> made = CgroupFiles.CreateDirectory(directory);
                created.AddRange(made);
                if (Dir("cpuset") == directory)
                {
                    // A new v1 cpuset starts with empty cpus/mems and accepts no task until they are
                    // set; inherit the parent's at every level, as runc does.
                    foreach (string level in made)
                    {
                        InheritCpuset(level);
                    }
                }
            }

            if (mapped is not null)
            {
                Apply(mapped, isUpdate: false);
            }

            if (pid is int process)
            {
                AddProcess(process);
            }
        }
        catch
        {
            // Leave nothing behind on a failed create: innermost directories first.
            for (int i = created.Count - 1; i >= 0; i--)
            {
                try
                {
                    CgroupFiles.RemoveDirectory(created[i]);
                }
                catch (CgroupException)
                {
                }
            }

            throw;
        }
    }

    public void Apply(LinuxResources resources)
        => Apply(CgroupResourcesMapper.Map(resources ?? throw new ArgumentNullException(nameof(resources)), Mode), isUpdate: true);

    public void AddProcess(int pid)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pid);
        foreach (string directory in DistinctDirectories)
        {
            CgroupFiles.Write(directory, "cgroup.procs", pid);
        }
    }

    public SafeFileHandle OpenUnifiedDirectory()
    {
        string directory = Dir(string.Empty) ?? throw new UnsupportedException("this host has no cgroup2 mount; place the process with AddProcess");
        int fd = Interop.Cgroups.Open(directory, Interop.Cgroups.O_PATH | Interop.Cgroups.O_DIRECTORY | Interop.Cgroups.O_CLOEXEC);
        return fd >= 0 ? new SafeFileHandle(fd, ownsHandle: true)
            : throw new CgroupException(directory, "open O_PATH failed: " + System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(System.Runtime.InteropServices.Marshal.GetLastPInvokeError()));
    }

    public void Freeze() => SetFreezer("FROZEN");

    public void Thaw() => SetFreezer("THAWED");

    public CgroupFreezerState GetFreezerState()
    {
        string directory = Dir("freezer") ?? throw new UnsupportedException("the freezer controller is not mounted");
        return CgroupFiles.Read(directory, "freezer.state") switch
        {
            "FROZEN" => CgroupFreezerState.Frozen,
            "FREEZING" => CgroupFreezerState.Freezing,
            _ => CgroupFreezerState.Thawed,
        };
    }

    public IReadOnlyList<int> GetPids()
        => CgroupFiles.ReadPids(Dir("freezer") ?? Dir("pids") ?? Dir("memory") ?? DistinctDirectories.First());

    public void KillAll(int signal = 9)
    {
        if (signal == 9 && Dir(string.Empty) is string unified && CgroupFiles.Exists(unified, "cgroup.kill"))
        {
            // On hybrid hosts our processes are also in the cgroup2 directory, which can kill them
            // atomically; anything placed through v1 only is signalled one by one afterwards.
            CgroupFiles.Write(unified, "cgroup.kill", "1");
            CgroupSignals.SignalEach(GetPids(), signal);
            return;
        }

        bool canFreeze = Dir("freezer") is not null;
        if (canFreeze)
        {
            Freeze();
        }

        try
        {
            CgroupSignals.SignalEach(GetPids(), signal);
        }
        finally
        {
            if (canFreeze)
            {
                Thaw();
            }
        }
    }

    public ulong GetOomKillCount()
        => Dir("memory") is string memory ? OomEventSource.ReadOomKill(memory, "memory.oom_control") : 0;

    public IAsyncEnumerable<ulong> WatchOomEventsAsync(CancellationToken cancellationToken = default)
        => OomEventSource.WatchV1Async(Dir("memory") ?? throw new UnsupportedException("the memory controller is not mounted"), cancellationToken);

    public bool Exists() => DistinctDirectories.Any(Directory.Exists);

    public void Destroy()
    {
        List<CgroupException> failures = [];
        foreach (string directory in DistinctDirectories)
        {
            try
            {
                CgroupFiles.RemoveDirectory(directory);
            }
            catch (CgroupException ex)
            {
                failures.Add(ex);
            }
        }

        if (failures.Count > 0)
        {
            throw failures[0];
        }
    }

    private string? Dir(string controller) => _directories.TryGetValue(controller, out string? directory) ? directory : null;

    private void SetFreezer(string state)
    {
        string directory = Dir("freezer") ?? throw new UnsupportedException("the freezer controller is not mounted");
        for (int attempt = 0; attempt < 1000; attempt++)
        {
            // Freezing can stall (a task in an uninterruptible sleep); writing the state again retries it.
            if (attempt % 50 == 0)
            {
                CgroupFiles.Write(directory, "freezer.state", state);
            }

            if (CgroupFiles.Read(directory, "freezer.state") == state)
            {
                return;
            }

            Thread.Sleep(attempt < 10 ? 1 : 10);
        }

        throw new CgroupException(directory, $"freezer.state did not reach {state}");
    }

    private static void InheritCpuset(string directory)
    {
        string parent = System.IO.Path.GetDirectoryName(directory)!;
        foreach (string file in new[] { "cpuset.cpus", "cpuset.mems" })
        {
            if (CgroupFiles.TryRead(directory, file) is "" && CgroupFiles.TryRead(parent, file) is string value)
            {
                CgroupFiles.Write(directory, file, value);
            }
        }
    }

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
