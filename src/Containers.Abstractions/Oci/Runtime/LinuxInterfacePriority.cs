using System.Text.Json;
using System.Text.Json.Serialization;

namespace Containers.Oci.Runtime;

/// <summary>The net_prio priority of one network interface.</summary>
public sealed class LinuxInterfacePriority
{
    /// <summary>The interface name.</summary>
    [JsonPropertyName("name")]
    public required string Name { get; set; }

    /// <summary>The priority.</summary>
    [JsonPropertyName("priority")]
    public required uint Priority { get; set; }

    /// <summary>Fields this model does not know (for example from a newer runtime-spec), kept so a round trip does not lose them.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
