using System.Text.Json.Serialization;

namespace Containers.Linux.Cgroups;

/// <summary>CFS bandwidth throttling counters.</summary>
public sealed class CpuThrottling
{
    /// <summary>Enforcement periods that elapsed.</summary>
    [JsonPropertyName("periods")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public ulong Periods { get; set; }

    /// <summary>Periods in which the group was throttled.</summary>
    [JsonPropertyName("throttledPeriods")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public ulong ThrottledPeriods { get; set; }

    /// <summary>Total time throttled, in nanoseconds.</summary>
    [JsonPropertyName("throttledTime")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public ulong ThrottledTime { get; set; }
}
