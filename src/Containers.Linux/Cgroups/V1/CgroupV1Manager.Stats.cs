using System.Globalization;

namespace Containers.Linux.Cgroups;

/// <content>Reading v1 statistics into the runc stats shape.</content>
internal sealed partial class CgroupV1Manager
{
    // cpuacct.stat counts USER_HZ ticks, which is 100 on every Linux ABI.
    private const ulong NanosecondsPerTick = 10_000_000;

    public CgroupStats GetStats()
    {
        CgroupStats stats = new();
        if (Dir("cpuacct") is string cpuacct)
        {
            stats.Cpu.Usage.Total = CgroupFiles.TryReadUInt64(cpuacct, "cpuacct.usage");
            stats.Cpu.Usage.PerCpu = ReadList(cpuacct, "cpuacct.usage_percpu");
            stats.Cpu.Usage.PerCpuUser = ReadList(cpuacct, "cpuacct.usage_percpu_user");
            stats.Cpu.Usage.PerCpuKernel = ReadList(cpuacct, "cpuacct.usage_percpu_sys");
            Dictionary<string, ulong> ticks = CgroupFiles.ReadKeyValues(cpuacct, "cpuacct.stat");
            stats.Cpu.Usage.User = ticks.GetValueOrDefault("user") * NanosecondsPerTick;
            stats.Cpu.Usage.Kernel = ticks.GetValueOrDefault("system") * NanosecondsPerTick;
        }

        if (Dir("cpu") is string cpu)
        {
            Dictionary<string, ulong> cpuStat = CgroupFiles.ReadKeyValues(cpu, "cpu.stat");
            stats.Cpu.Throttling.Periods = cpuStat.GetValueOrDefault("nr_periods");
            stats.Cpu.Throttling.ThrottledPeriods = cpuStat.GetValueOrDefault("nr_throttled");
            stats.Cpu.Throttling.ThrottledTime = cpuStat.GetValueOrDefault("throttled_time");
        }

        if (Dir("cpuset") is string cpuset)
        {
            stats.Cpuset.Cpus = CpusetStats.ParseList(CgroupFiles.TryRead(cpuset, "cpuset.cpus"));
            stats.Cpuset.Mems = CpusetStats.ParseList(CgroupFiles.TryRead(cpuset, "cpuset.mems"));
            stats.Cpuset.CpuExclusive = CgroupFiles.TryReadUInt64(cpuset, "cpuset.cpu_exclusive");
            stats.Cpuset.MemHardwall = CgroupFiles.TryReadUInt64(cpuset, "cpuset.mem_hardwall");
            stats.Cpuset.MemExclusive = CgroupFiles.TryReadUInt64(cpuset, "cpuset.mem_exclusive");
            stats.Cpuset.MemoryMigrate = CgroupFiles.TryReadUInt64(cpuset, "cpuset.memory_migrate");
            stats.Cpuset.MemorySpreadPage = CgroupFiles.TryReadUInt64(cpuset, "cpuset.memory_spread_page");
            stats.Cpuset.MemorySpreadSlab = CgroupFiles.TryReadUInt64(cpuset, "cpuset.memory_spread_slab");
            stats.Cpuset.MemoryPressure = CgroupFiles.TryReadUInt64(cpuset, "cpuset.memory_pressure");
            stats.Cpuset.SchedLoadBalance = CgroupFiles.TryReadUInt64(cpuset, "cpuset.sched_load_balance");
            stats.Cpuset.SchedRelaxDomainLevel = long.TryParse(CgroupFiles.TryRead(cpuset, "cpuset.sched_relax_domain_level"), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long level) ? level : 0;
        }

        if (Dir("memory") is string memory)
        {
            foreach ((string key, ulong value) in CgroupFiles.ReadKeyValues(memory, "memory.stat"))
            {
                stats.Memory.Raw[key] = value;
            }

            stats.Memory.Cache = (stats.Memory.Raw.TryGetValue("cache", out ulong cache) ? cache : 0);
            FillMemory(stats.Memory.Usage, memory, "memory");
            FillMemory(stats.Memory.Swap, memory, "memory.memsw");
            FillMemory(stats.Memory.Kernel, memory, "memory.kmem");
            FillMemory(stats.Memory.KernelTcp, memory, "memory.kmem.tcp");
        }

        if (Dir("pids") is string pids)
        {
            stats.Pids.Current = CgroupFiles.TryReadUInt64(pids, "pids.current");
            ulong limit = CgroupFiles.TryReadUInt64(pids, "pids.max");
            stats.Pids.Limit = limit == ulong.MaxValue ? 0 : limit;
        }

        if (Dir("blkio") is string blkio)
        {
            stats.Blkio.IoServiceBytesRecursive = ReadBlkio(blkio, "blkio.bfq.io_service_bytes_recursive") ?? ReadBlkio(blkio, "blkio.throttle.io_service_bytes_recursive");
            stats.Blkio.IoServicedRecursive = ReadBlkio(blkio, "blkio.bfq.io_serviced_recursive") ?? ReadBlkio(blkio, "blkio.throttle.io_serviced_recursive");
        }

        if (Dir("hugetlb") is string hugetlb)
        {
            foreach (string file in Directory.EnumerateFiles(hugetlb, "hugetlb.*.usage_in_bytes"))
            {
                string name = System.IO.Path.GetFileName(file);
                string size = name["hugetlb.".Length..name.IndexOf(".usage_in_bytes", StringComparison.Ordinal)];
                if (size.Contains('.', StringComparison.Ordinal))
                {
                    continue; // the rsvd.* variants
                }

                stats.Hugetlb[size] = new HugetlbStats
                {
                    Usage = CgroupFiles.TryReadUInt64(hugetlb, $"hugetlb.{size}.usage_in_bytes"),
                    Max = CgroupFiles.TryReadUInt64(hugetlb, $"hugetlb.{size}.max_usage_in_bytes"),
                    FailCount = CgroupFiles.TryReadUInt64(hugetlb, $"hugetlb.{size}.failcnt"),
                };
            }
        }

        return stats;
    }

    private static void FillMemory(MemoryEntry entry, string directory, string prefix)
    {
        entry.Usage = CgroupFiles.TryReadUInt64(directory, prefix + ".usage_in_bytes");
        entry.Max = CgroupFiles.TryReadUInt64(directory, prefix + ".max_usage_in_bytes");
        entry.Limit = CgroupFiles.TryReadUInt64(directory, prefix + ".limit_in_bytes");
        entry.FailCount = CgroupFiles.TryReadUInt64(directory, prefix + ".failcnt");
    }

    private static List<ulong>? ReadList(string directory, string file)
        => CgroupFiles.TryRead(directory, file) is string text
            ? [.. text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(CgroupFiles.ParseUInt64)]
            : null;

    private static List<BlkioEntry>? ReadBlkio(string directory, string file)
    {
        if (CgroupFiles.TryRead(directory, file) is not string text)
        {
            return null;
        }

        List<BlkioEntry> entries = [];
        foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // "8:0 Read 4096"; the closing "Total 123" line has no device.
            string[] parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 3)
            {
                continue;
            }

            string[] device = parts[0].Split(':');
            entries.Add(new BlkioEntry
            {
                Major = ulong.Parse(device[0], CultureInfo.InvariantCulture),
                Minor = ulong.Parse(device[1], CultureInfo.InvariantCulture),
                Op = parts[1],
                Value = CgroupFiles.ParseUInt64(parts[2]),
            });
        }

        // runc omits empty lists (Go omitempty); so do we.
        return entries.Count > 0 ? entries : null;
    }
}
