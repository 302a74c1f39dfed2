using System.Globalization;

namespace Containers.Linux.Cgroups;

/// <content>Writing resources to v2 control files, with runc's conversions from the v1-shaped OCI values.</content>
internal sealed partial class CgroupV2Manager
{
    internal void Apply(CgroupResources r, bool isUpdate)
    {
        string dir = Directory_;

        // unified keys are checked before the first write: a key must name an existing file.
        foreach (string key in r.Unified.Keys)
        {
            if (!CgroupFiles.Exists(dir, key))
            {
                throw new InvalidSpecException($"linux.resources.unified[\"{key}\"]", $"{key} does not exist in {dir} (unknown file, or its controller is not enabled)");
            }
        }

        WriteIfSet(dir, "cpuset.cpus", r.Cpus);
        WriteIfSet(dir, "cpuset.mems", r.Mems);
        ApplyMemory(dir, r, isUpdate);
        ApplyCpu(dir, r);
        if (r.PidsLimit is long pids && pids != 0)
        {
            CgroupFiles.Write(dir, "pids.max", pids > 0 ? pids.ToString(CultureInfo.InvariantCulture) : "max");
        }

        ApplyIo(dir, r);
        foreach (HugepageLimit limit in r.HugepageLimits)
        {
            CgroupFiles.Write(dir, $"hugetlb.{limit.PageSize}.max", limit.Limit);
            if (CgroupFiles.Exists(dir, $"hugetlb.{limit.PageSize}.rsvd.max"))
            {
                CgroupFiles.Write(dir, $"hugetlb.{limit.PageSize}.rsvd.max", limit.Limit);
            }
        }

        foreach ((string device, RdmaLimit limit) in r.Rdma)
        {
            CgroupFiles.Write(dir, "rdma.max", CgroupV1Manager.RdmaLine(device, limit));
        }

        // linux.resources.network has no v2 controller (net_cls/net_prio are v1 only); runc ignores it too.
        foreach ((string key, string value) in r.Unified)
        {
            CgroupFiles.Write(dir, key, value);
        }

        if (r.Devices is IList<CgroupDeviceRule> rules && AttachDeviceFilter)
        {
            DeviceFilterLoader.Attach(dir, DeviceFilterCompiler.Compile(rules));
        }
    }

    /// <summary>runc's cpu.shares (2..262144) → cpu.weight (1..10000) mapping.</summary>
    internal static ulong SharesToWeight(ulong shares) => shares == 0 ? 0 : 1 + ((shares - 2) * 9999 / 262142);

    /// <summary>runc's blkio weight (10..1000) → io.weight (1..10000) mapping.</summary>
    internal static ulong BlkioWeightToIoWeight(ulong weight) => weight == 0 ? 0 : 1 + ((weight - 10) * 9999 / 990);

    /// <summary>
    /// OCI swap is memory+swap (v1 semantics); v2's memory.swap.max is swap alone. Returns null for "leave unset".
    /// </summary>
    internal static string? SwapMax(long? swapSetting, long? limitSetting)
    {
        long swap = swapSetting ?? 0;
        long limit = limitSetting ?? 0;
        if (limit == -1 && swap == 0)
        {
            return "max";
        }

        return swap switch
        {
            -1 => "max",
            0 => null,
            _ => (swap - limit).ToString(CultureInfo.InvariantCulture),
        };
    }

    private static void ApplyMemory(string dir, CgroupResources r, bool isUpdate)
    {
        long limit = r.MemoryLimit ?? 0;
        if (isUpdate && r.CheckBeforeUpdate == true && limit > 0)
        {
            ulong usage = CgroupFiles.ReadUInt64(dir, "memory.current");
            if (usage > (ulong)limit)
            {
                throw new FailedPreconditionException($"linux.resources.memory.limit: the new limit {limit} is below the current usage {usage} and checkBeforeUpdate is set");
            }
        }

        if (SwapMax(r.MemorySwap, r.MemoryLimit) is string swap)
        {
            // Without swap accounting there is no file; "max" is then what the kernel does anyway.
            if (CgroupFiles.Exists(dir, "memory.swap.max") || swap != "max")
            {
                CgroupFiles.Write(dir, "memory.swap.max", swap);
            }
        }

        if (limit != 0)
        {
            CgroupFiles.Write(dir, "memory.max", limit == -1 ? "max" : limit.ToString(CultureInfo.InvariantCulture));
        }

        if (r.MemoryReservation is long reservation && reservation != 0)
        {
            CgroupFiles.Write(dir, "memory.low", reservation == -1 ? "max" : reservation.ToString(CultureInfo.InvariantCulture));
        }

        // swappiness, disableOOMKiller, kernel, kernelTCP and useHierarchy have no v2 file; runc ignores them too.
    }

    private static void ApplyCpu(string dir, CgroupResources r)
    {
        if (r.CpuIdle is long idle)
        {
            CgroupFiles.Write(dir, "cpu.idle", idle);
        }

        if (r.CpuShares is ulong shares && shares != 0)
        {
            CgroupFiles.Write(dir, "cpu.weight", SharesToWeight(shares));
        }

        long quota = r.CpuQuota ?? 0;
        ulong period = r.CpuPeriod ?? 0;
        if (quota != 0 || period != 0)
        {
            // runc writes "max" for unset/unlimited quota, and the period only when given.
            string value = quota > 0 ? quota.ToString(CultureInfo.InvariantCulture) : "max";
            if (period != 0)
            {
                value += " " + period.ToString(CultureInfo.InvariantCulture);
            }

            CgroupFiles.Write(dir, "cpu.max", value);
        }

        if (r.CpuBurst is ulong burst)
        {
            CgroupFiles.Write(dir, "cpu.max.burst", burst);
        }
    }

    private static void ApplyIo(string dir, CgroupResources r)
    {
        bool bfq = CgroupFiles.Exists(dir, "io.bfq.weight");
        if (r.BlkioWeight is ushort weight && weight != 0)
        {
            // BFQ takes the v1 range as is; io.weight needs the conversion.
            if (bfq)
            {
                CgroupFiles.Write(dir, "io.bfq.weight", weight);
            }
            else
            {
                CgroupFiles.Write(dir, "io.weight", BlkioWeightToIoWeight(weight));
            }
        }

        foreach (BlockIODeviceWeight device in r.BlkioWeightDevices)
        {
            if (device.Weight is ushort w && w != 0)
            {
                if (!bfq)
                {
                    throw new UnsupportedException("linux.resources.blockIO.weightDevice needs the BFQ I/O scheduler on cgroup v2 (io.bfq.weight is missing)");
                }

                CgroupFiles.Write(dir, "io.bfq.weight", $"{device.Major}:{device.Minor} {w}");
            }
        }

        // leafWeight has no v2 equivalent and is ignored, as runc does.
        WriteIoMax(dir, "rbps", r.BlkioThrottleReadBps);
        WriteIoMax(dir, "wbps", r.BlkioThrottleWriteBps);
        WriteIoMax(dir, "riops", r.BlkioThrottleReadIops);
        WriteIoMax(dir, "wiops", r.BlkioThrottleWriteIops);
    }

    private static void WriteIoMax(string dir, string key, IEnumerable<BlockIODeviceRate> rates)
    {
        foreach (BlockIODeviceRate rate in rates)
        {
            // 0 means "no limit" in OCI; io.max spells that "max".
            string value = rate.Rate == 0 ? "max" : rate.Rate.ToString(CultureInfo.InvariantCulture);
            CgroupFiles.Write(dir, "io.max", $"{rate.Major}:{rate.Minor} {key}={value}");
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
