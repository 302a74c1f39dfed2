using System.Text.Json.Serialization;

namespace Containers.Linux.Cgroups;

/// <summary>Block I/O counters per device and operation.</summary>
public sealed class BlkioStats
{
    /// <summary>Bytes transferred.</summary>
    [JsonPropertyName("ioServiceBytesRecursive")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IList<BlkioEntry>? IoServiceBytesRecursive { get; set; }

    /// <summary>I/O operations.</summary>
    [JsonPropertyName("ioServicedRecursive")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IList<BlkioEntry>? IoServicedRecursive { get; set; }
}
