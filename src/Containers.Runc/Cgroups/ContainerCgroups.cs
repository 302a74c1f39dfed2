using Containers.Linux.Cgroups;
using Containers.Oci.Runtime;
using Containers.Runc.State;

namespace Containers.Runc.Cgroups;

/// <summary>The container's cgroup as runcs's verbs see it: opened from the spec at create, from the record afterwards.</summary>
internal static class ContainerCgroups
{
    /// <summary>Refuses <c>--systemd-cgroup</c>: only the cgroupfs driver exists.</summary>
    /// <exception cref="UnsupportedException">The flag is given.</exception>
    public static void RefuseSystemd(CommandLine line)
    {
        if (line.Globals.TryGetValue("--systemd-cgroup", out string? value) && value is not "false")
        {
            throw new UnsupportedException("--systemd-cgroup: the systemd cgroup driver is not supported by runcs; it manages cgroups through cgroupfs (drop the flag)");
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

    /// <summary>The manager of a recorded container's cgroup.</summary>
    /// <exception cref="FailedPreconditionException">The container was created without a cgroup (by an older runcs).</exception>
    public static ICgroupManager Of(ContainerRecord record)
        => record.CgroupPath is string path
            ? CgroupManager.Open(CgroupLayout.Detect(), path)
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
