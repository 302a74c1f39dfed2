using System.Text.Json.Serialization;

namespace Containers.Linux.Cgroups;

/// <summary>CPU statistics.</summary>
public sealed class CpuStats
{
    /// <summary>CPU time consumed.</summary>
    [JsonPropertyName("usage")]
    public CpuUsage Usage { get; init; } = new();

    /// <summary>CFS bandwidth throttling.</summary>
    [JsonPropertyName("throttling")]
    public CpuThrottling Throttling { get; init; } = new();
}
