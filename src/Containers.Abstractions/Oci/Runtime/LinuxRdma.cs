using System.Text.Json;
using System.Text.Json.Serialization;

namespace Containers.Oci.Runtime;

/// <summary>RDMA cgroup limits of one device.</summary>
public sealed class LinuxRdma
{
    /// <summary>The most HCA handles.</summary>
    [JsonPropertyName("hcaHandles")]
    public uint? HcaHandles { get; set; }

    /// <summary>The most HCA objects.</summary>
    [JsonPropertyName("hcaObjects")]
    public uint? HcaObjects { get; set; }

    /// <summary>Fields this model does not know (for example from a newer runtime-spec), kept so a round trip does not lose them.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
