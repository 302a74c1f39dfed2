using System.Text.Json;
using System.Text.Json.Serialization;

namespace Containers.Oci.Runtime;

/// <summary>Scheduling attributes of the process, as sched_setattr(2) takes them.</summary>
public sealed class LinuxScheduler
{
    /// <summary>A <see cref="SchedulerPolicy"/> value.</summary>
    [JsonPropertyName("policy")]
    public required string Policy { get; set; }

    /// <summary>The nice value for SCHED_OTHER and SCHED_BATCH, -20 to 19.</summary>
    [JsonPropertyName("nice")]
    public int? Nice { get; set; }

    /// <summary>The static priority for SCHED_FIFO and SCHED_RR.</summary>
    [JsonPropertyName("priority")]
    public int? Priority { get; set; }

    /// <summary><see cref="SchedulerFlag"/> values.</summary>
    [JsonPropertyName("flags")]
    public IList<string>? Flags { get; set; }

    /// <summary>SCHED_DEADLINE runtime, in nanoseconds.</summary>
    [JsonPropertyName("runtime")]
    public ulong? Runtime { get; set; }

    /// <summary>SCHED_DEADLINE deadline, in nanoseconds.</summary>
    [JsonPropertyName("deadline")]
    public ulong? Deadline { get; set; }

    /// <summary>SCHED_DEADLINE period, in nanoseconds.</summary>
    [JsonPropertyName("period")]
    public ulong? Period { get; set; }

    /// <summary>Fields this model does not know (for example from a newer runtime-spec), kept so a round trip does not lose them.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
