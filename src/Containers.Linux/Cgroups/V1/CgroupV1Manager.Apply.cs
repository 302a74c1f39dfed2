using System.Globalization;

namespace Containers.Linux.Cgroups;

/// <content>Writing resources to the v1 controllers, in runc's order and with its file choices.</content>
internal sealed partial class CgroupV1Manager
{
    internal void Apply(CgroupResources r, bool isUpdate)
    {
        RequireControllers(r);
        if (Dir("cpuset") is string cpuset)
        {
            WriteIfSet(cpuset, "cpuset.cpus", r.Cpus);
            WriteIfSet(cpuset, "cpuset.mems", r.Mems);
        }

        if (Dir("devices") is string devices && r.Devices is IList<CgroupDeviceRule> rules)
        {
            WriteDeviceRules(devices, rules);
        }

        if (Dir("memory") is string memory)
        {
            ApplyMemory(memory, r, isUpdate);
        }

        if (Dir("cpu") is string cpu)
        {
            ApplyCpu(cpu, r);
        }

        if (Dir("pids") is string pids && r.PidsLimit is long pidsLimit && pidsLimit != 0)
        {
            CgroupFiles.Write(pids, "pids.max", pidsLimit > 0 ? Number(pidsLimit) : "max");
        }

        if (Dir("blkio") is string blkio)
        {
            ApplyBlkio(blkio, r);
        }

        if (Dir("hugetlb") is string hugetlb)
        {
            foreach (HugepageLimit limit in r.HugepageLimits)
            {
                CgroupFiles.Write(hugetlb, $"hugetlb.{limit.PageSize}.limit_in_bytes", limit.Limit);
                if (CgroupFiles.Exists(hugetlb, $"hugetlb.{limit.PageSize}.rsvd.limit_in_bytes"))
                {
                    CgroupFiles.Write(hugetlb, $"hugetlb.{limit.PageSize}.rsvd.limit_in_bytes", limit.Limit);
                }
            }
        }

        if (Dir("net_cls") is string netCls && r.NetClassId is uint classId && classId != 0)
        {
            CgroupFiles.Write(netCls, "net_cls.classid", classId);
        }

        if (Dir("net_prio") is string netPrio)
        {
            foreach (NetworkPriority priority in r.NetPriorities)
            {
                CgroupFiles.Write(netPrio, "net_prio.ifpriomap", $"{priority.Interface} {priority.Priority}");
            }
        }

        if (Dir("rdma") is string rdma)
        {
            foreach ((string device, RdmaLimit limit) in r.Rdma)
            {
                CgroupFiles.Write(rdma, "rdma.max", RdmaLine(device, limit));
            }
        }
    }

    /// <summary>
    /// A limit for a controller the host does not mount cannot be enforced; runc 1.1 fails with
    /// "cannot set X limit" there, and so do we, before the first write.
    /// </summary>
    private void RequireControllers(CgroupResources r)
    {
        Require(r.HugepageLimits.Count > 0, "hugetlb", "hugepageLimits");
        Require(r.NetClassId is uint classId && classId != 0, "net_cls", "network.classID");
        Require(r.NetPriorities.Count > 0, "net_prio", "network.priorities");
        Require(r.Rdma.Count > 0, "rdma", "rdma");
        Require(r.PidsLimit is long pids && pids != 0, "pids", "pids");
        Require(!string.IsNullOrEmpty(r.Cpus) || !string.IsNullOrEmpty(r.Mems), "cpuset", "cpu.cpus/mems");
        Require(r.MemoryLimit.GetValueOrDefault() != 0 || r.MemorySwap.GetValueOrDefault() != 0 || r.MemoryReservation.GetValueOrDefault() != 0, "memory", "memory");

        void Require(bool isSet, string controller, string field)
        {
            if (isSet && Dir(controller) is null)
            {
                throw new UnsupportedException($"linux.resources.{field}: cannot set the limit, the cgroup v1 '{controller}' controller is not mounted on this host");
            }
        }
    }

    internal static string RdmaLine(string device, RdmaLimit limit)
    {
        string line = device;
        if (limit.HcaHandles is uint handles)
        {
            line += " hca_handle=" + handles.ToString(CultureInfo.InvariantCulture);
        }

        if (limit.HcaObjects is uint objects)
        {
            line += " hca_object=" + objects.ToString(CultureInfo.InvariantCulture);
        }

        return line;
    }

    private static void WriteDeviceRules(string directory, IList<CgroupDeviceRule> rules)
    {
        // Reduce to a default plus exceptions; writing "a" first resets the kernel's list, so the
        // result does not depend on what was there before (an update replaces the whole list).
        DeviceRuleSet set = DeviceRuleSet.From(rules);
        CgroupFiles.Write(directory, set.DefaultAllow ? "devices.allow" : "devices.deny", "a");
        foreach (CgroupDeviceRule rule in set.Exceptions)
        {
            CgroupFiles.Write(directory, rule.Allow ? "devices.allow" : "devices.deny", rule.ToV1Line());
        }
    }

    private static void ApplyMemory(string directory, CgroupResources r, bool isUpdate)
    {
        long limit = r.MemoryLimit ?? 0;
        long swap = r.MemorySwap ?? 0;
        if (isUpdate && r.CheckBeforeUpdate == true && limit > 0)
        {
            ulong usage = CgroupFiles.ReadUInt64(directory, "memory.usage_in_bytes");
            if (usage > (ulong)limit)
            {
                throw new FailedPreconditionException($"linux.resources.memory.limit: the new limit {limit} is below the current usage {usage} and checkBeforeUpdate is set");
            }
        }

        // Unlimited memory with swap unset means "unlimited swap too".
        if (limit == -1 && swap == 0)
        {
            swap = -1;
        }

        bool hasSwapFile = CgroupFiles.Exists(directory, "memory.memsw.limit_in_bytes");
        bool swapFirst = false;
        if (limit != 0 && swap != 0)
        {
            // The kernel requires memory <= memsw at every step: raise memsw first when growing.
            ulong current = CgroupFiles.ReadUInt64(directory, "memory.limit_in_bytes");
            swapFirst = swap == -1 || current < (ulong)swap;
        }

        if (swapFirst)
        {
            WriteSwap(directory, swap, hasSwapFile);
        }

        if (limit != 0)
        {
            WriteMemoryLimit(directory, limit);
        }

        if (!swapFirst)
        {
            WriteSwap(directory, swap, hasSwapFile);
        }

        if (r.MemoryReservation is long reservation && reservation != 0)
        {
            CgroupFiles.Write(directory, "memory.soft_limit_in_bytes", reservation);
        }

        if (r.DisableOomKiller == true)
        {
            CgroupFiles.Write(directory, "memory.oom_control", "1");
        }

        if (r.MemorySwappiness is ulong swappiness)
        {
            CgroupFiles.Write(directory, "memory.swappiness", swappiness);
        }

        // memory.kernel and memory.kernelTCP are ignored, as runc 1.1 ignores them: kmem limits are
        // obsolete since Linux 5.4 and cgroup v2 has no such knob. useHierarchy is always on in 6.x.
    }

    private static void WriteMemoryLimit(string directory, long limit)
    {
        try
        {
            CgroupFiles.Write(directory, "memory.limit_in_bytes", limit);
        }
        catch (CgroupException ex) when (ex.InnerException is IOException io && io.Message.Contains("busy", StringComparison.OrdinalIgnoreCase))
        {
            throw new FailedPreconditionException($"linux.resources.memory.limit: {limit} is below the cgroup's current usage (EBUSY)", ex);
        }
    }

    private static void WriteSwap(string directory, long swap, bool hasSwapFile)
    {
        if (swap == 0)
        {
            return;
        }

        if (!hasSwapFile)
        {
            if (swap == -1)
            {
                return;
            }

            throw new UnsupportedException("linux.resources.memory.swap is set but the kernel has no swap accounting (memory.memsw.limit_in_bytes is missing; boot with swapaccount=1)");
        }

        CgroupFiles.Write(directory, "memory.memsw.limit_in_bytes", swap);
    }

    private static void ApplyCpu(string directory, CgroupResources r)
    {
        if (r.CpuShares is ulong shares && shares != 0)
        {
            CgroupFiles.Write(directory, "cpu.shares", shares);
        }

        if (r.CpuPeriod is ulong period && period != 0)
        {
            CgroupFiles.Write(directory, "cpu.cfs_period_us", period);
        }

        if (r.CpuQuota is long quota && quota != 0)
        {
            CgroupFiles.Write(directory, "cpu.cfs_quota_us", quota);
        }

        if (r.CpuBurst is ulong burst && CgroupFiles.Exists(directory, "cpu.cfs_burst_us"))
        {
            CgroupFiles.Write(directory, "cpu.cfs_burst_us", burst);
        }

        // The realtime budget: period before runtime, so the runtime always fits the period.
        if (r.CpuRealtimePeriod is ulong rtPeriod && rtPeriod != 0)
        {
            CgroupFiles.Write(directory, "cpu.rt_period_us", rtPeriod);
        }

        if (r.CpuRealtimeRuntime is long rtRuntime && rtRuntime != 0)
        {
            CgroupFiles.Write(directory, "cpu.rt_runtime_us", rtRuntime);
        }

        if (r.CpuIdle is long idle && CgroupFiles.Exists(directory, "cpu.idle"))
        {
            CgroupFiles.Write(directory, "cpu.idle", idle);
        }
    }

    private static void ApplyBlkio(string directory, CgroupResources r)
    {
        // CFQ's files where the kernel still has them, BFQ's otherwise (runc's choice).
        bool cfq = CgroupFiles.Exists(directory, "blkio.weight");
        string weightFile = cfq ? "blkio.weight" : "blkio.bfq.weight";
        string weightDeviceFile = cfq ? "blkio.weight_device" : "blkio.bfq.weight_device";
        if (r.BlkioWeight is ushort weight && weight != 0)
        {
            CgroupFiles.Write(directory, weightFile, weight);
        }

        if (r.BlkioLeafWeight is ushort leaf && leaf != 0)
        {
            CgroupFiles.Write(directory, "blkio.leaf_weight", leaf);
        }

        foreach (BlockIODeviceWeight device in r.BlkioWeightDevices)
        {
            if (device.Weight is ushort w && w != 0)
            {
                CgroupFiles.Write(directory, weightDeviceFile, $"{device.Major}:{device.Minor} {w}");
            }

            if (device.LeafWeight is ushort lw && lw != 0)
            {
                CgroupFiles.Write(directory, "blkio.leaf_weight_device", $"{device.Major}:{device.Minor} {lw}");
            }
        }

        WriteThrottles(directory, "blkio.throttle.read_bps_device", r.BlkioThrottleReadBps);
        WriteThrottles(directory, "blkio.throttle.write_bps_device", r.BlkioThrottleWriteBps);
        WriteThrottles(directory, "blkio.throttle.read_iops_device", r.BlkioThrottleReadIops);
        WriteThrottles(directory, "blkio.throttle.write_iops_device", r.BlkioThrottleWriteIops);
    }

    private static void WriteThrottles(string directory, string file, IEnumerable<BlockIODeviceRate> rates)
    {
        foreach (BlockIODeviceRate rate in rates)
        {
            CgroupFiles.Write(directory, file, $"{rate.Major}:{rate.Minor} {rate.Rate}");
        }
    }

    private static void WriteIfSet(string directory, string file, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            CgroupFiles.Write(directory, file, value);
        }
    }
}
