using System.Globalization;

namespace Containers.Linux.Cgroups;

/// <content>Reading v2 statistics into the runc stats shape.</content>
internal sealed partial class CgroupV2Manager
{
    public CgroupStats GetStats()
    {
        string dir = Directory_;
        CgroupStats stats = new();
        Dictionary<string, ulong> cpu = CgroupFiles.ReadKeyValues(dir, "cpu.stat");
        stats.Cpu.Usage.Total = cpu.GetValueOrDefault("usage_usec") * 1000;
        stats.Cpu.Usage.User = cpu.GetValueOrDefault("user_usec") * 1000;
        stats.Cpu.Usage.Kernel = cpu.GetValueOrDefault("system_usec") * 1000;
        stats.Cpu.Throttling.Periods = cpu.GetValueOrDefault("nr_periods");
        stats.Cpu.Throttling.ThrottledPeriods = cpu.GetValueOrDefault("nr_throttled");
        stats.Cpu.Throttling.ThrottledTime = cpu.GetValueOrDefault("throttled_usec") * 1000;

        foreach ((string key, ulong value) in CgroupFiles.ReadKeyValues(dir, "memory.stat"))
        {
            stats.Memory.Raw[key] = value;
        }

        stats.Memory.Cache = (stats.Memory.Raw.TryGetValue("file", out ulong pageCache) ? pageCache : 0);
        stats.Memory.Usage.Usage = CgroupFiles.TryReadUInt64(dir, "memory.current");
        stats.Memory.Usage.Max = CgroupFiles.TryReadUInt64(dir, "memory.peak");
        stats.Memory.Usage.Limit = CgroupFiles.TryReadUInt64(dir, "memory.max");
        stats.Memory.Usage.FailCount = CgroupFiles.ReadKeyValues(dir, "memory.events").GetValueOrDefault("max");
        stats.Memory.Swap.Usage = CgroupFiles.TryReadUInt64(dir, "memory.swap.current");
        stats.Memory.Swap.Limit = CgroupFiles.TryReadUInt64(dir, "memory.swap.max");

        stats.Pids.Current = CgroupFiles.TryReadUInt64(dir, "pids.current");
        ulong pidsMax = CgroupFiles.TryReadUInt64(dir, "pids.max");
        stats.Pids.Limit = pidsMax == ulong.MaxValue ? 0 : pidsMax;

        if (CgroupFiles.TryRead(dir, "io.stat") is string io)
        {
            List<BlkioEntry> bytes = [];
            List<BlkioEntry> ops = [];
            foreach (string line in io.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                // "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0"
                string[] parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                string[] device = parts[0].Split(':');
                ulong major = ulong.Parse(device[0], CultureInfo.InvariantCulture);
                ulong minor = ulong.Parse(device[1], CultureInfo.InvariantCulture);
                foreach (string pair in parts.Skip(1))
                {
                    string[] kv = pair.Split('=');
                    (List<BlkioEntry>? list, string? op) = kv[0] switch
                    {
                        "rbytes" => (bytes, "Read"),
                        "wbytes" => (bytes, "Write"),
                        "rios" => (ops, "Read"),
                        "wios" => (ops, "Write"),
                        _ => ((List<BlkioEntry>?)null, (string?)null),
                    };
                    list?.Add(new BlkioEntry { Major = major, Minor = minor, Op = op, Value = CgroupFiles.ParseUInt64(kv[1]) });
                }
            }

            stats.Blkio.IoServiceBytesRecursive = bytes.Count > 0 ? bytes : null;
            stats.Blkio.IoServicedRecursive = ops.Count > 0 ? ops : null;
        }

        if (Directory.Exists(dir))
        {
            foreach (string file in Directory.EnumerateFiles(dir, "hugetlb.*.current"))
            {
                string name = System.IO.Path.GetFileName(file);
                string size = name["hugetlb.".Length..^".current".Length];
                if (size.Contains('.', StringComparison.Ordinal))
                {
                    continue;
                }

                stats.Hugetlb[size] = new HugetlbStats
                {
                    Usage = CgroupFiles.TryReadUInt64(dir, $"hugetlb.{size}.current"),
                    FailCount = CgroupFiles.ReadKeyValues(dir, $"hugetlb.{size}.events").GetValueOrDefault("max"),
                };
            }
        }

        return stats;
    }
}
