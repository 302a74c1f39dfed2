using System.Text.RegularExpressions;

namespace Containers.Oci.Runtime;

/// <content>Rules for <c>linux.resources</c>.</content>
public static partial class SpecValidator
{
    // The kernel's bounds (kernel/sched): cpu.shares is clamped to [2, 262144]; a CFS quota or
    // period below 1 ms, or a period above 1 s, is refused with EINVAL.
    private const ulong MinCpuShares = 2;
    private const ulong MaxCpuShares = 262_144;
    private const long MinCfsMicroseconds = 1_000;
    private const ulong MaxCfsPeriodMicroseconds = 1_000_000;
    private const ushort MinBlkioWeight = 10;
    private const ushort MaxBlkioWeight = 1_000;

    private static void ValidateResources(LinuxResources resources)
    {
        ValidateDeviceRules(resources.Devices);
        if (resources.Memory is LinuxMemory memory)
        {
            ValidateMemory(memory);
        }

        if (resources.Cpu is LinuxCpu cpu)
        {
            ValidateCpu(cpu);
        }

        if (resources.Pids is LinuxPids pids && pids.Limit < -1)
        {
            Fail("linux.resources.pids.limit", $"{pids.Limit} is not -1 (unlimited) or a non-negative count");
        }

        if (resources.BlockIO is LinuxBlockIO blockIO)
        {
            ValidateBlkioWeight(blockIO.Weight, "linux.resources.blockIO.weight");
            ValidateBlkioWeight(blockIO.LeafWeight, "linux.resources.blockIO.leafWeight");
        }

        if (resources.HugepageLimits is not null)
        {
            for (int i = 0; i < resources.HugepageLimits.Count; i++)
            {
                string path = Index("linux.resources.hugepageLimits", i);
                string? pageSize = NotNull(resources.HugepageLimits[i], path).PageSize;
                if (pageSize is null || !PageSizePattern().IsMatch(pageSize))
                {
                    Fail(path + ".pageSize", $"{Quote(pageSize)} is not a page size such as \"2MB\" or \"1GB\"");
                }
            }
        }
    }

    private static void ValidateDeviceRules(IList<LinuxDeviceCgroup>? rules)
    {
        if (rules is null)
        {
            return;
        }

        for (int i = 0; i < rules.Count; i++)
        {
            string path = Index("linux.resources.devices", i);
            LinuxDeviceCgroup rule = NotNull(rules[i], path);
            if (rule.Type is not null and not ("a" or LinuxDeviceType.Char or LinuxDeviceType.Block))
            {
                Fail(path + ".type", $"unknown device rule type {Quote(rule.Type)}; expected a, c or b");
            }

            if (rule.Access is not null && (rule.Access.Length == 0 || rule.Access.Any(c => c is not ('r' or 'w' or 'm'))))
            {
                Fail(path + ".access", $"{Quote(rule.Access)} is not a combination of r, w and m");
            }
        }
    }

    private static void ValidateMemory(LinuxMemory memory)
    {
        ValidateByteLimit(memory.Limit, "linux.resources.memory.limit");
        ValidateByteLimit(memory.Reservation, "linux.resources.memory.reservation");
        ValidateByteLimit(memory.Swap, "linux.resources.memory.swap");
        ValidateByteLimit(memory.Kernel, "linux.resources.memory.kernel");
        ValidateByteLimit(memory.KernelTcp, "linux.resources.memory.kernelTCP");

        // memory.memsw.limit_in_bytes counts memory plus swap, so it cannot be below the memory limit.
        if (memory.Limit is long limit && limit > 0 && memory.Swap is long swap && swap > 0 && swap < limit)
        {
            Fail("linux.resources.memory.swap", $"memory+swap limit {swap} is less than the memory limit {limit}");
        }

        if (memory.Swappiness is ulong swappiness && swappiness > 100)
        {
            Fail("linux.resources.memory.swappiness", $"{swappiness} is greater than 100");
        }
    }

    private static void ValidateByteLimit(long? value, string path)
    {
        if (value is long bytes && bytes < -1)
        {
            Fail(path, $"{bytes} is not -1 (unlimited) or a non-negative byte count");
        }
    }

    private static void ValidateCpu(LinuxCpu cpu)
    {
        // 0 is what several callers write for "unset"; runc and crun skip it.
        if (cpu.Shares is ulong shares && shares != 0 && (shares < MinCpuShares || shares > MaxCpuShares))
        {
            Fail("linux.resources.cpu.shares", $"shares {shares} is outside {MinCpuShares} to {MaxCpuShares}");
        }

        if (cpu.Quota is long quota && quota != -1 && quota < MinCfsMicroseconds)
        {
            Fail("linux.resources.cpu.quota", $"quota {quota} is not -1 (unlimited) or at least {MinCfsMicroseconds} microseconds");
        }

        if (cpu.Period is ulong period && (period < MinCfsMicroseconds || period > MaxCfsPeriodMicroseconds))
        {
            Fail("linux.resources.cpu.period", $"period {period} is outside {MinCfsMicroseconds} to {MaxCfsPeriodMicroseconds} microseconds");
        }

        if (cpu.Burst is ulong burst && burst > 0 && (cpu.Quota is not long burstQuota || burstQuota <= 0 || burst > (ulong)burstQuota))
        {
            Fail("linux.resources.cpu.burst", $"burst {burst} needs a quota at least as large");
        }

        if (cpu.Idle is long idle && idle is not (0 or 1))
        {
            Fail("linux.resources.cpu.idle", $"{idle} is not 0 or 1");
        }

        ValidateCpuList(cpu.Cpus, "linux.resources.cpu.cpus");
        ValidateCpuList(cpu.Mems, "linux.resources.cpu.mems");
    }

    private static void ValidateBlkioWeight(ushort? value, string path)
    {
        if (value is ushort weight && (weight < MinBlkioWeight || weight > MaxBlkioWeight))
        {
            Fail(path, $"weight {weight} is outside {MinBlkioWeight} to {MaxBlkioWeight}");
        }
    }

    // The hugetlb file names' size syntax: "2MB", "1GB", "64KB".
    [GeneratedRegex(@"^[1-9]\d*[KMGTP]B$", RegexOptions.CultureInvariant)]
    private static partial Regex PageSizePattern();
}
