using System.Text.Json.Serialization;

namespace Containers.Linux.Cgroups;

/// <summary>hugetlb usage for one page size.</summary>
public sealed class HugetlbStats
{
    /// <summary>Bytes in use.</summary>
    [JsonPropertyName("usage")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public ulong Usage { get; set; }

    /// <summary>Peak bytes (v1 only).</summary>
    [JsonPropertyName("max")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public ulong Max { get; set; }

    /// <summary>Allocation failures.</summary>
    [JsonPropertyName("failcnt")]
    public ulong FailCount { get; set; }
}
