using System.Text.Json;
using Containers.Linux.Cgroups;
using Containers.Linux.Supervision;
using Containers.Runtime;
using RuntimeCpuStats = Containers.Runtime.CpuStats;
using RuntimeMemoryStats = Containers.Runtime.MemoryStats;
using RuntimePidsStats = Containers.Runtime.PidsStats;

namespace Containers.Lifecycle.Tasks;

/// <summary>Turns a shim's metrics answer (the cgroup's <c>runc events --stats</c> data) into <see cref="ContainerStats"/>.</summary>
internal static class ShimMetrics
{
    /// <summary>
    /// The kernel's "no limit": v1 reports PAGE_COUNTER_MAX pages (LONG_MAX rounded down to a page),
    /// v2 reads "max" (parsed as <see cref="ulong.MaxValue"/>); anything from here up is no limit.
    /// </summary>
    private const ulong Unlimited = 0x7FFF_FFFF_FFFF_F000;

    public static ContainerStats ToContainerStats(ShimResponse response)
    {
        CgroupStats stats;
        try
        {
            stats = JsonSerializer.Deserialize(response.Json ?? string.Empty, CgroupStatsJsonContext.Default.CgroupStats)
                ?? throw new ShimException(ShimFailure.Internal, "the shim sent no statistics");
        }
        catch (JsonException ex)
        {
            throw new ShimException(ShimFailure.Internal, $"the shim sent invalid statistics: {ex.Message}", ex);
        }

        RuntimeCpuStats cpu = new(
            stats.Cpu.Usage.Total,
            stats.Cpu.Usage.User,
            stats.Cpu.Usage.Kernel,
            stats.Cpu.Throttling.ThrottledPeriods,
            stats.Cpu.Throttling.ThrottledTime);
        ulong limit = stats.Memory.Usage.Limit;
        RuntimeMemoryStats memory = new(
            stats.Memory.Usage.Usage,
            limit is 0 or >= Unlimited ? null : limit,
            stats.Memory.Usage.Max == 0 ? null : stats.Memory.Usage.Max,
            stats.Memory.Cache,
            response.OomCount);
        RuntimePidsStats pids = new(stats.Pids.Current, stats.Pids.Limit == 0 ? null : stats.Pids.Limit);
        return new ContainerStats(DateTimeOffset.UtcNow, cpu, memory, pids);
    }
}
