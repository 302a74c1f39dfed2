using System.Text.Json.Serialization;

namespace Containers.Linux.Cgroups;

/// <summary>One memory counter family: usage, peak, limit, failures.</summary>
public sealed class MemoryEntry
{
    /// <summary>The limit in bytes (<see cref="ulong.MaxValue"/>-ish values mean unlimited).</summary>
    [JsonPropertyName("limit")]
    public ulong Limit { get; set; }

    /// <summary>Current usage in bytes.</summary>
    [JsonPropertyName("usage")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public ulong Usage { get; set; }

    /// <summary>Peak usage in bytes.</summary>
    [JsonPropertyName("max")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public ulong Max { get; set; }

    /// <summary>How often the limit was hit.</summary>
    [JsonPropertyName("failcnt")]
    public ulong FailCount { get; set; }
}
