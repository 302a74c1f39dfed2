using System.Text.Json;
using System.Text.Json.Serialization;

namespace Containers.Oci.Runtime;

/// <summary>CPU cgroup limits.</summary>
public sealed class LinuxCpu
{
    /// <summary>The relative CPU weight (cgroup v1 cpu.shares).</summary>
    [JsonPropertyName("shares")]
    public ulong? Shares { get; set; }

    /// <summary>The CPU time in microseconds allowed per period; -1 for none.</summary>
    [JsonPropertyName("quota")]
    public long? Quota { get; set; }

    /// <summary>Extra microseconds the cgroup may accumulate and burst, at most the quota.</summary>
    [JsonPropertyName("burst")]
    public ulong? Burst { get; set; }

    /// <summary>The CFS period in microseconds.</summary>
    [JsonPropertyName("period")]
    public ulong? Period { get; set; }

    /// <summary>The real-time runtime in microseconds per period.</summary>
    [JsonPropertyName("realtimeRuntime")]
    public long? RealtimeRuntime { get; set; }

    /// <summary>The real-time period in microseconds.</summary>
    [JsonPropertyName("realtimePeriod")]
    public ulong? RealtimePeriod { get; set; }

    /// <summary>The CPUs the container may run on, e.g. <c>0-3</c>.</summary>
    [JsonPropertyName("cpus")]
    public string? Cpus { get; set; }

    /// <summary>The memory nodes the container may use.</summary>
    [JsonPropertyName("mems")]
    public string? Mems { get; set; }

    /// <summary>1 makes the cgroup SCHED_IDLE, 0 does not.</summary>
    [JsonPropertyName("idle")]
    public long? Idle { get; set; }

    /// <summary>Fields this model does not know (for example from a newer runtime-spec), kept so a round trip does not lose them.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
