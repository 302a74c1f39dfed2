using System.Text.Json.Serialization;

namespace Containers.Oci.Runtime;

/// <summary>A block I/O rate limit for one device.</summary>
public sealed class LinuxThrottleDevice : LinuxBlockIODevice
{
    /// <summary>Bytes or operations per second.</summary>
    [JsonPropertyName("rate")]
    public required ulong Rate { get; set; }
}
