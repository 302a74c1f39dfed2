using System.Collections.ObjectModel;
using Containers.Oci.Runtime;
using Microsoft.Win32.SafeHandles;

namespace Containers.Linux.Cgroups;

/// <summary>
/// The cgroup v2 manager: one directory in the unified hierarchy, controllers enabled through
/// the ancestors' cgroup.subtree_control, devices through an eBPF program.
/// </summary>
internal sealed partial class CgroupV2Manager : ICgroupManager
{
    private readonly string _mountPoint;

    public CgroupV2Manager(string mountPoint, string cgroupPath)
    {
        _mountPoint = mountPoint;
        Path = cgroupPath;
        Directory_ = CgroupPath.Join(mountPoint, cgroupPath);
        Directories = new ReadOnlyDictionary<string, string>(new Dictionary<string, string>(StringComparer.Ordinal) { [string.Empty] = Directory_ });
    }

    public string Path { get; }

    public CgroupMode Mode => CgroupMode.Unified;

    public IReadOnlyDictionary<string, string> Directories { get; }

    /// <summary>
    /// Whether <see cref="Create"/> may enable controllers in ancestors that existed before (runc
    /// does). Tests on a shared host turn it off so they only write to cgroups they made.
    /// </summary>
    internal bool EnableControllersInExistingAncestors { get; init; } = true;

    /// <summary>Whether to load the eBPF device filter (file-level tests stand in a temporary directory for cgroupfs).</summary>
    internal bool AttachDeviceFilter { get; init; } = true;

    private string Directory_ { get; }

    public void Create(LinuxResources? resources = null, int? pid = null)
    {
        CgroupResources? mapped = resources is null ? null : CgroupResourcesMapper.Map(resources, Mode);
        List<string> created = [];
        try
        {
            created = CgroupFiles.CreateDirectory(Directory_);
            EnableControllers(created);
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
        CgroupFiles.Write(Directory_, "cgroup.procs", pid);
    }

    public SafeFileHandle OpenUnifiedDirectory()
    {
        int fd = Interop.Cgroups.Open(Directory_, Interop.Cgroups.O_PATH | Interop.Cgroups.O_DIRECTORY | Interop.Cgroups.O_CLOEXEC);
        return fd >= 0 ? new SafeFileHandle(fd, ownsHandle: true)
            : throw new CgroupException(Directory_, "open O_PATH failed: " + System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(System.Runtime.InteropServices.Marshal.GetLastPInvokeError()));
    }

    public void Freeze() => SetFrozen(true);

    public void Thaw() => SetFrozen(false);

    public CgroupFreezerState GetFreezerState()
    {
        bool requested = CgroupFiles.Read(Directory_, "cgroup.freeze") == "1";
        bool frozen = CgroupFiles.ReadKeyValues(Directory_, "cgroup.events").GetValueOrDefault("frozen") == 1;
        return (requested, frozen) switch
        {
            (true, true) => CgroupFreezerState.Frozen,
            (true, false) => CgroupFreezerState.Freezing,
            _ => CgroupFreezerState.Thawed,
        };
    }

    public IReadOnlyList<int> GetPids() => CgroupFiles.ReadPids(Directory_);

    public void KillAll(int signal = 9)
    {
        if (signal == 9 && CgroupFiles.Exists(Directory_, "cgroup.kill"))
        {
            CgroupFiles.Write(Directory_, "cgroup.kill", "1");
            return;
        }

        Freeze();
        try
        {
            CgroupSignals.SignalEach(GetPids(), signal);
        }
        finally
        {
            Thaw();
        }
    }

    public ulong GetOomKillCount() => OomEventSource.ReadOomKill(Directory_, "memory.events");

    public IAsyncEnumerable<ulong> WatchOomEventsAsync(CancellationToken cancellationToken = default)
        => OomEventSource.WatchV2Async(Directory_, cancellationToken);

    public bool Exists() => Directory.Exists(Directory_);

    public void Destroy() => CgroupFiles.RemoveDirectory(Directory_);

    private void SetFrozen(bool frozen)
    {
        CgroupFiles.Write(Directory_, "cgroup.freeze", frozen ? "1" : "0");
        for (int attempt = 0; attempt < 500; attempt++)
        {
            if ((CgroupFiles.ReadKeyValues(Directory_, "cgroup.events").GetValueOrDefault("frozen") == 1) == frozen)
            {
                return;
            }

            Thread.Sleep(attempt < 10 ? 1 : 10);
        }

        throw new CgroupException(Directory_, $"cgroup.events did not report frozen {(frozen ? 1 : 0)}");
    }

    private void EnableControllers(List<string> created)
    {
        // Every ancestor from the hierarchy root down to our parent must delegate the controllers
        // it has, or the leaf gets no control files.
        string parent = System.IO.Path.GetDirectoryName(Directory_)!;
        List<string> chain = [];
        for (string? level = parent; level is not null && level.Length >= _mountPoint.TrimEnd('/').Length; level = System.IO.Path.GetDirectoryName(level))
        {
            chain.Insert(0, level);
            if (level.Length == _mountPoint.TrimEnd('/').Length)
            {
                break;
            }
        }

        foreach (string level in chain)
        {
            if (!EnableControllersInExistingAncestors && !created.Contains(level))
            {
                continue;
            }

            string? available = CgroupFiles.TryRead(level, "cgroup.controllers");
            string? enabled = CgroupFiles.TryRead(level, "cgroup.subtree_control");
            if (string.IsNullOrWhiteSpace(available) || enabled is null)
            {
                continue;
            }

            HashSet<string> already = [.. enabled.Split(' ', StringSplitOptions.RemoveEmptyEntries)];
            string[] missing = [.. available.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(c => !already.Contains(c))];
            if (missing.Length > 0)
            {
                CgroupFiles.Write(level, "cgroup.subtree_control", string.Join(' ', missing.Select(c => "+" + c)));
            }
        }
    }
}
