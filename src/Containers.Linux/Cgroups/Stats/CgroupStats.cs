using System.Text.Json.Serialization;

namespace Containers.Linux.Cgroups;

/// <summary>
/// A container's resource usage, shaped like the <c>data</c> object of <c>runc events --stats</c>
/// (field names and omitted zero values match, so the JSON can be compared and consumed alike).
/// </summary>
public sealed class CgroupStats
{
    /// <summary>CPU time and throttling.</summary>
    [JsonPropertyName("cpu")]
    public CpuStats Cpu { get; init; } = new();

    /// <summary>The cpuset settings.</summary>
    [JsonPropertyName("cpuset")]
    public CpusetStats Cpuset { get; init; } = new();

    /// <summary>Memory and swap usage and limits.</summary>
    [JsonPropertyName("memory")]
    public MemoryStats Memory { get; init; } = new();

    /// <summary>Number of tasks and their limit.</summary>
    [JsonPropertyName("pids")]
    public PidsStats Pids { get; init; } = new();

    /// <summary>Block I/O counters.</summary>
    [JsonPropertyName("blkio")]
    public BlkioStats Blkio { get; init; } = new();

    /// <summary>hugetlb usage per page size (e.g. <c>2MB</c>).</summary>
    [JsonPropertyName("hugetlb")]
    public IDictionary<string, HugetlbStats> Hugetlb { get; init; } = new Dictionary<string, HugetlbStats>(StringComparer.Ordinal);
}
