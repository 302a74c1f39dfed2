using System.Globalization;
using Containers.Oci.Runtime;

namespace Containers.Linux.Cgroups;

/// <summary>
/// Validates an OCI <c>linux.resources</c> object and flattens it for the managers. Validation
/// runs completely before any cgroup is created or written, and each failure names the JSON field.
/// </summary>
internal static class CgroupResourcesMapper
{
    private const string Root = "linux.resources";

    public static CgroupResources Map(LinuxResources resources, CgroupMode mode)
    {
        ArgumentNullException.ThrowIfNull(resources);
        CgroupResources result = new();
        if (resources.Memory is LinuxMemory memory)
        {
            MapMemory(memory, result);
        }

        if (resources.Cpu is LinuxCpu cpu)
        {
            MapCpu(cpu, result);
            if (mode == CgroupMode.Unified && (cpu.RealtimeRuntime is long rt && rt != 0 || cpu.RealtimePeriod is ulong rp && rp != 0))
            {
                throw new UnsupportedException($"{Root}.cpu.realtimeRuntime/realtimePeriod: cgroup v2 has no realtime CPU budget");
            }
        }

        if (resources.Pids is LinuxPids pids)
        {
            result.PidsLimit = pids.Limit >= -1 ? pids.Limit : throw Invalid("pids.limit", $"{pids.Limit} is not -1 (unlimited) or a count");
        }

        if (resources.BlockIO is LinuxBlockIO blockIO)
        {
            MapBlockIO(blockIO, result);
        }

        for (int i = 0; i < (resources.HugepageLimits?.Count ?? 0); i++)
        {
            LinuxHugepageLimit limit = resources.HugepageLimits![i];
            if (!IsPageSize(limit.PageSize))
            {
                throw Invalid($"hugepageLimits[{i}].pageSize", $"'{limit.PageSize}' is not a page size such as 2MB or 1GB");
            }

            result.HugepageLimits.Add(new HugepageLimit(limit.PageSize, limit.Limit));
        }

        if (resources.Network is LinuxNetwork network)
        {
            result.NetClassId = network.ClassId;
            for (int i = 0; i < (network.Priorities?.Count ?? 0); i++)
            {
                LinuxInterfacePriority priority = network.Priorities![i];
                if (priority.Name.Length == 0 || priority.Name.Contains(' ', StringComparison.Ordinal) || priority.Name.Contains('/', StringComparison.Ordinal))
                {
                    throw Invalid($"network.priorities[{i}].name", $"'{priority.Name}' is not an interface name");
                }

                result.NetPriorities.Add(new NetworkPriority(priority.Name, priority.Priority));
            }
        }

        foreach ((string device, LinuxRdma rdma) in resources.Rdma ?? new Dictionary<string, LinuxRdma>())
        {
            if (device.Length == 0 || device.Any(c => c is ' ' or '/' or '\n'))
            {
                throw Invalid("rdma", $"'{device}' is not an RDMA device name");
            }

            result.Rdma[device] = new RdmaLimit(rdma.HcaHandles, rdma.HcaObjects);
        }

        foreach ((string key, string value) in resources.Unified ?? new Dictionary<string, string>())
        {
            if (mode != CgroupMode.Unified)
            {
                throw new UnsupportedException($"{Root}.unified needs cgroup v2 for every controller; this host's cgroups are {mode.ToString().ToLowerInvariant()} (runc refuses it on v1 too)");
            }

            if (key.Length == 0 || key.Contains('/', StringComparison.Ordinal) || key.Contains("..", StringComparison.Ordinal) || !key.Contains('.', StringComparison.Ordinal) || key.StartsWith('.'))
            {
                throw Invalid($"unified[\"{key}\"]", "is not a cgroup v2 control file name (controller.file, no '/' or '..')");
            }

            if (value.Contains('\n', StringComparison.Ordinal))
            {
                throw Invalid($"unified[\"{key}\"]", "a value cannot contain a newline");
            }

            result.Unified[key] = value;
        }

        if (resources.Devices is IList<LinuxDeviceCgroup> devices)
        {
            result.Devices = MapDevices(devices);
        }

        return result;
    }

    /// <summary>Turns device rules into the normalized form (type a/c/b, numbers or null for '*', access in "rwm" order).</summary>
    public static List<CgroupDeviceRule> MapDevices(IList<LinuxDeviceCgroup> devices)
    {
        ArgumentNullException.ThrowIfNull(devices);
        List<CgroupDeviceRule> rules = [];
        for (int i = 0; i < devices.Count; i++)
        {
            LinuxDeviceCgroup rule = devices[i];
            string path = $"devices[{i}]";
            char type = rule.Type switch
            {
                null or "" or "a" => 'a',
                "c" => 'c',
                "b" => 'b',
                _ => throw Invalid(path + ".type", $"'{rule.Type}' is not a, c or b"),
            };
            if (rule.Major is long major && (major < -1 || major > uint.MaxValue))
            {
                throw Invalid(path + ".major", $"{major} is not a device number (or -1 for any)");
            }

            if (rule.Minor is long minor && (minor < -1 || minor > uint.MaxValue))
            {
                throw Invalid(path + ".minor", $"{minor} is not a device number (or -1 for any)");
            }

            string access = rule.Access ?? "rwm";
            if (access.Length == 0 || access.Any(c => c is not ('r' or 'w' or 'm')))
            {
                throw Invalid(path + ".access", $"'{access}' is not a combination of r, w and m");
            }

            string normalized = string.Concat("rwm".Where(access.Contains));
            long? majorNumber = rule.Major is long m && m >= 0 ? m : null;
            long? minorNumber = rule.Minor is long n && n >= 0 ? n : null;

            // "a" with numbers makes no sense to the kernel; runc treats type a as every device.
            rules.Add(type == 'a' ? new CgroupDeviceRule(rule.Allow, 'a', null, null, normalized) : new CgroupDeviceRule(rule.Allow, type, majorNumber, minorNumber, normalized));
        }

        return rules;
    }

    private static void MapMemory(LinuxMemory memory, CgroupResources result)
    {
        result.MemoryLimit = ByteLimit(memory.Limit, "memory.limit");
        result.MemoryReservation = ByteLimit(memory.Reservation, "memory.reservation");
        result.MemorySwap = ByteLimit(memory.Swap, "memory.swap");
        result.MemoryKernel = ByteLimit(memory.Kernel, "memory.kernel");
        result.MemoryKernelTcp = ByteLimit(memory.KernelTcp, "memory.kernelTCP");
        if (result.MemorySwap is long swap && swap > 0)
        {
            if (result.MemoryLimit is not long limit || limit <= 0)
            {
                throw Invalid("memory.swap", $"a memory+swap limit ({swap}) needs a memory limit");
            }

            if (swap < limit)
            {
                throw Invalid("memory.swap", $"memory+swap limit {swap} is less than the memory limit {limit}");
            }
        }

        if (memory.Swappiness is ulong swappiness && swappiness > 100)
        {
            throw Invalid("memory.swappiness", $"{swappiness} is outside 0 to 100");
        }

        result.MemorySwappiness = memory.Swappiness;
        result.DisableOomKiller = memory.DisableOomKiller;
        result.UseHierarchy = memory.UseHierarchy;
        result.CheckBeforeUpdate = memory.CheckBeforeUpdate;
    }

    private static void MapCpu(LinuxCpu cpu, CgroupResources result)
    {
        if (cpu.Shares is ulong shares && shares != 0 && (shares < 2 || shares > 262_144))
        {
            throw Invalid("cpu.shares", $"{shares} is outside 2 to 262144");
        }

        if (cpu.Quota is long quota && quota != -1 && quota != 0 && quota < 1000)
        {
            throw Invalid("cpu.quota", $"{quota} is not -1 (unlimited) or at least 1000 microseconds");
        }

        if (cpu.Period is ulong period && period != 0 && (period < 1000 || period > 1_000_000))
        {
            throw Invalid("cpu.period", $"{period} is outside 1000 to 1000000 microseconds");
        }

        if (cpu.Burst is ulong burst && burst > 0 && (cpu.Quota is not long burstQuota || burstQuota <= 0 || burst > (ulong)burstQuota))
        {
            throw Invalid("cpu.burst", $"burst {burst} needs a quota at least as large");
        }

        if (cpu.RealtimeRuntime is long runtime && runtime < -1)
        {
            throw Invalid("cpu.realtimeRuntime", $"{runtime} is negative");
        }

        if (cpu.RealtimeRuntime is long rt && rt > 0 && cpu.RealtimePeriod is ulong rtPeriod && rtPeriod > 0 && (ulong)rt > rtPeriod)
        {
            throw Invalid("cpu.realtimeRuntime", $"{rt} is larger than realtimePeriod {rtPeriod}");
        }

        if (cpu.Idle is long idle && idle is not (0 or 1))
        {
            throw Invalid("cpu.idle", $"{idle} is not 0 or 1");
        }

        result.CpuShares = cpu.Shares;
        result.CpuQuota = cpu.Quota;
        result.CpuPeriod = cpu.Period;
        result.CpuBurst = cpu.Burst;
        result.CpuRealtimeRuntime = cpu.RealtimeRuntime;
        result.CpuRealtimePeriod = cpu.RealtimePeriod;
        result.Cpus = CpuList(cpu.Cpus, "cpu.cpus");
        result.Mems = CpuList(cpu.Mems, "cpu.mems");
        result.CpuIdle = cpu.Idle;
    }

    private static void MapBlockIO(LinuxBlockIO blockIO, CgroupResources result)
    {
        result.BlkioWeight = Weight(blockIO.Weight, "blockIO.weight");
        result.BlkioLeafWeight = Weight(blockIO.LeafWeight, "blockIO.leafWeight");
        for (int i = 0; i < (blockIO.WeightDevice?.Count ?? 0); i++)
        {
            LinuxWeightDevice device = blockIO.WeightDevice![i];
            string path = $"blockIO.weightDevice[{i}]";
            DeviceNumbers(device, path);
            result.BlkioWeightDevices.Add(new BlockIODeviceWeight(device.Major, device.Minor, Weight(device.Weight, path + ".weight"), Weight(device.LeafWeight, path + ".leafWeight")));
        }

        Throttles(blockIO.ThrottleReadBpsDevice, "blockIO.throttleReadBpsDevice", result.BlkioThrottleReadBps);
        Throttles(blockIO.ThrottleWriteBpsDevice, "blockIO.throttleWriteBpsDevice", result.BlkioThrottleWriteBps);
        Throttles(blockIO.ThrottleReadIopsDevice, "blockIO.throttleReadIOPSDevice", result.BlkioThrottleReadIops);
        Throttles(blockIO.ThrottleWriteIopsDevice, "blockIO.throttleWriteIOPSDevice", result.BlkioThrottleWriteIops);
    }

    private static void Throttles(IList<LinuxThrottleDevice>? devices, string path, IList<BlockIODeviceRate> into)
    {
        for (int i = 0; i < (devices?.Count ?? 0); i++)
        {
            LinuxThrottleDevice device = devices![i];
            DeviceNumbers(device, $"{path}[{i}]");
            into.Add(new BlockIODeviceRate(device.Major, device.Minor, device.Rate));
        }
    }

    private static void DeviceNumbers(LinuxBlockIODevice device, string path)
    {
        if (device.Major < 0 || device.Major > uint.MaxValue)
        {
            throw Invalid(path + ".major", $"{device.Major} is not a device number");
        }

        if (device.Minor < 0 || device.Minor > uint.MaxValue)
        {
            throw Invalid(path + ".minor", $"{device.Minor} is not a device number");
        }
    }

    private static ushort? Weight(ushort? weight, string path)
        => weight is ushort w && w != 0 && (w < 10 || w > 1000) ? throw Invalid(path, $"{w} is outside 10 to 1000") : weight;

    private static long? ByteLimit(long? value, string path)
        => value is long bytes && bytes < -1 ? throw Invalid(path, $"{bytes} is not -1 (unlimited) or a byte count") : value;

    private static string? CpuList(string? list, string path)
    {
        if (string.IsNullOrEmpty(list))
        {
            return null;
        }

        foreach (string range in list.Split(','))
        {
            string[] ends = range.Split('-');
            if (ends.Length > 2 || ends.Any(e => !uint.TryParse(e, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                || (ends.Length == 2 && uint.Parse(ends[0], CultureInfo.InvariantCulture) > uint.Parse(ends[1], CultureInfo.InvariantCulture)))
            {
                throw Invalid(path, $"'{list}' is not a list such as 0-3,5");
            }
        }

        return list;
    }

    private static bool IsPageSize(string pageSize)
        => pageSize.Length >= 3 && pageSize.EndsWith('B') && "KMGTP".Contains(pageSize[^2], StringComparison.Ordinal)
            && pageSize[0] != '0' && pageSize[..^2].All(char.IsAsciiDigit);

    private static InvalidSpecException Invalid(string field, string problem) => new($"{Root}.{field}", problem);
}
