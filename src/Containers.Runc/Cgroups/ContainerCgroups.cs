using Containers.Linux.Cgroups;
using Containers.Oci.Runtime;
using Containers.Runc.State;

namespace Containers.Runc.Cgroups;

/// <summary>The container's cgroup as runcs's verbs see it: opened from the spec at create, from the record afterwards.</summary>
internal static class ContainerCgroups
{
    private static CgroupLayout? _layout;

    /// <summary>
    /// The host's cgroup layout, read once per runcs process: `run` needs it to create the cgroup and
    /// again to remove it, and reading and parsing /proc/self/mountinfo twice cost about 0.1 ms. A runcs
    /// command is one short process whose mount namespace does not change under it.
    /// </summary>
    public static CgroupLayout Layout => _layout ??= CgroupLayout.Detect();

    /// <summary>The manager of the cgroup the spec asks for (runcs's default parent when it names none).</summary>
    public static ICgroupManager Open(Spec spec, string id)
        => CgroupManager.Open(Layout, CgroupPath.Resolve(spec.Linux?.CgroupsPath, id, CgroupPath.DefaultParent));

    /// <summary>Refuses <c>--systemd-cgroup</c>, saying why: only the cgroupfs driver exists (and whether the host runs systemd at all).</summary>
    /// <exception cref="UnsupportedException">The flag is given.</exception>
    public static void RefuseSystemd(CommandLine line)
    {
        if (line.Globals.TryGetValue("--systemd-cgroup", out string? value) && value is not "false")
        {
            // Why, exactly: runc's systemd driver asks systemd (over D-Bus) to create the cgroup as a transient scope unit.
            // runcs has no D-Bus client and no such driver; on a host without systemd runc refuses the flag as well.
            string host = Directory.Exists("/run/systemd/system")
                ? "this host runs systemd, but runcs has no systemd driver"
                : "and this host is not running systemd (no /run/systemd/system), where runc refuses it too (\"systemd not running on this host, cannot use systemd cgroups manager\")";
            throw new UnsupportedException($"--systemd-cgroup: runcs only manages cgroups through cgroupfs; the systemd driver (cgroups as transient systemd units created over D-Bus, \"slice:prefix:name\" paths) is not implemented, {host}. Drop the flag and give linux.cgroupsPath as a path");
        }
    }

    /// <summary>The spec's resources with the complete device rule list (spec rules, runc's defaults, the spec's devices).</summary>
    public static LinuxResources ResourcesOf(Spec spec)
    {
        LinuxResources given = spec.Linux?.Resources ?? new LinuxResources();
        return new LinuxResources
        {
            Devices = CgroupDeviceDefaults.ForContainer(given, spec.Linux?.Devices),
            Memory = given.Memory,
            Cpu = given.Cpu,
            Pids = given.Pids,
            BlockIO = given.BlockIO,
            HugepageLimits = given.HugepageLimits,
            Network = given.Network,
            Rdma = given.Rdma,
            Unified = given.Unified,
            ExtensionData = given.ExtensionData,
        };
    }

    /// <summary>
    /// <paramref name="current"/> with every value <paramref name="update"/> sets replacing it, field
    /// by field for memory, cpu, pids and block I/O weights, key by key for <c>unified</c> and rdma,
    /// whole lists (devices, throttles, hugepage limits) when the update gives one.
    /// </summary>
    public static LinuxResources Merge(LinuxResources? current, LinuxResources update)
    {
        ArgumentNullException.ThrowIfNull(update);
        current ??= new LinuxResources();
        LinuxMemory? oldMemory = current.Memory, newMemory = update.Memory;
        LinuxCpu? oldCpu = current.Cpu, newCpu = update.Cpu;
        LinuxBlockIO? oldIo = current.BlockIO, newIo = update.BlockIO;
        return new LinuxResources
        {
            Devices = update.Devices ?? current.Devices,
            Memory = newMemory is null ? oldMemory : oldMemory is null ? newMemory : new LinuxMemory
            {
                Limit = newMemory.Limit ?? oldMemory.Limit,
                Reservation = newMemory.Reservation ?? oldMemory.Reservation,
                Swap = newMemory.Swap ?? oldMemory.Swap,
                Kernel = newMemory.Kernel ?? oldMemory.Kernel,
                KernelTcp = newMemory.KernelTcp ?? oldMemory.KernelTcp,
                Swappiness = newMemory.Swappiness ?? oldMemory.Swappiness,
                DisableOomKiller = newMemory.DisableOomKiller ?? oldMemory.DisableOomKiller,
                UseHierarchy = newMemory.UseHierarchy ?? oldMemory.UseHierarchy,
                CheckBeforeUpdate = newMemory.CheckBeforeUpdate ?? oldMemory.CheckBeforeUpdate,
                ExtensionData = newMemory.ExtensionData ?? oldMemory.ExtensionData,
            },
            Cpu = newCpu is null ? oldCpu : oldCpu is null ? newCpu : new LinuxCpu
            {
                Shares = newCpu.Shares ?? oldCpu.Shares,
                Quota = newCpu.Quota ?? oldCpu.Quota,
                Burst = newCpu.Burst ?? oldCpu.Burst,
                Period = newCpu.Period ?? oldCpu.Period,
                RealtimeRuntime = newCpu.RealtimeRuntime ?? oldCpu.RealtimeRuntime,
                RealtimePeriod = newCpu.RealtimePeriod ?? oldCpu.RealtimePeriod,
                Cpus = newCpu.Cpus ?? oldCpu.Cpus,
                Mems = newCpu.Mems ?? oldCpu.Mems,
                Idle = newCpu.Idle ?? oldCpu.Idle,
                ExtensionData = newCpu.ExtensionData ?? oldCpu.ExtensionData,
            },
            Pids = update.Pids ?? current.Pids,
            BlockIO = newIo is null ? oldIo : oldIo is null ? newIo : new LinuxBlockIO
            {
                Weight = newIo.Weight ?? oldIo.Weight,
                LeafWeight = newIo.LeafWeight ?? oldIo.LeafWeight,
                WeightDevice = newIo.WeightDevice ?? oldIo.WeightDevice,
                ThrottleReadBpsDevice = newIo.ThrottleReadBpsDevice ?? oldIo.ThrottleReadBpsDevice,
                ThrottleWriteBpsDevice = newIo.ThrottleWriteBpsDevice ?? oldIo.ThrottleWriteBpsDevice,
                ThrottleReadIopsDevice = newIo.ThrottleReadIopsDevice ?? oldIo.ThrottleReadIopsDevice,
                ThrottleWriteIopsDevice = newIo.ThrottleWriteIopsDevice ?? oldIo.ThrottleWriteIopsDevice,
                ExtensionData = newIo.ExtensionData ?? oldIo.ExtensionData,
            },
            HugepageLimits = update.HugepageLimits ?? current.HugepageLimits,
            Network = update.Network ?? current.Network,
            Rdma = MergeKeys(current.Rdma, update.Rdma),
            Unified = MergeKeys(current.Unified, update.Unified),
            ExtensionData = update.ExtensionData ?? current.ExtensionData,
        };
    }

    private static Dictionary<string, T>? MergeKeys<T>(IDictionary<string, T>? current, IDictionary<string, T>? update)
    {
        if (current is null && update is null)
        {
            return null;
        }

        Dictionary<string, T> merged = new(current ?? new Dictionary<string, T>(), StringComparer.Ordinal);
        foreach ((string key, T value) in update ?? new Dictionary<string, T>())
        {
            merged[key] = value;
        }

        return merged;
    }

    /// <summary>The manager of a recorded container's cgroup.</summary>
    /// <exception cref="FailedPreconditionException">The container was created without a cgroup (by an older runcs).</exception>
    public static ICgroupManager Of(ContainerRecord record)
        => record.CgroupPath is string path
            ? CgroupManager.Open(Layout, path)
            : throw new FailedPreconditionException($"container {record.Id} has no cgroup recorded");

    /// <summary>
    /// Kills whatever is left in the cgroup and removes it, if the container has one. Never on a
    /// start path: only delete and the end of run call this.
    /// </summary>
    public static void Destroy(ContainerRecord record)
    {
        if (record.CgroupPath is null)
        {
            return;
        }

        ICgroupManager manager = Of(record);
        if (!manager.Exists())
        {
            return;
        }

        manager.KillAll(Interop.SIGKILL);
        manager.Destroy();
    }
}
