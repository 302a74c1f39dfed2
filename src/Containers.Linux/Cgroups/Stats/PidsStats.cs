using System.Text.Json.Serialization;

namespace Containers.Linux.Cgroups;

/// <summary>Task counts.</summary>
public sealed class PidsStats
{
    /// <summary>Tasks in the cgroup now.</summary>
    [JsonPropertyName("current")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public ulong Current { get; set; }

    /// <summary>The limit; 0 means unlimited.</summary>
    [JsonPropertyName("limit")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public ulong Limit { get; set; }
}
