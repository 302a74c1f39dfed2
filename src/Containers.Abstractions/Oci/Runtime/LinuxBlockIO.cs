using System.Text.Json;
using System.Text.Json.Serialization;

namespace Containers.Oci.Runtime;

/// <summary>Block I/O cgroup limits.</summary>
public sealed class LinuxBlockIO
{
    /// <summary>The default weight, 10 to 1000.</summary>
    [JsonPropertyName("weight")]
    public ushort? Weight { get; set; }

    /// <summary>The weight against child cgroups (CFQ only).</summary>
    [JsonPropertyName("leafWeight")]
    public ushort? LeafWeight { get; set; }

    /// <summary>Weights per device.</summary>
    [JsonPropertyName("weightDevice")]
    public IList<LinuxWeightDevice>? WeightDevice { get; set; }

    /// <summary>Read bytes per second per device.</summary>
    [JsonPropertyName("throttleReadBpsDevice")]
    public IList<LinuxThrottleDevice>? ThrottleReadBpsDevice { get; set; }

    /// <summary>Write bytes per second per device.</summary>
    [JsonPropertyName("throttleWriteBpsDevice")]
    public IList<LinuxThrottleDevice>? ThrottleWriteBpsDevice { get; set; }

    /// <summary>Read operations per second per device.</summary>
    [JsonPropertyName("throttleReadIOPSDevice")]
    public IList<LinuxThrottleDevice>? ThrottleReadIopsDevice { get; set; }

    /// <summary>Write operations per second per device.</summary>
    [JsonPropertyName("throttleWriteIOPSDevice")]
    public IList<LinuxThrottleDevice>? ThrottleWriteIopsDevice { get; set; }

    /// <summary>Fields this model does not know (for example from a newer runtime-spec), kept so a round trip does not lose them.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
