using System.Text.Json;
using System.Text.Json.Serialization;

namespace Containers.Oci.Runtime;

/// <summary>A range of user or group ids mapped from the container to the host.</summary>
public sealed class LinuxIdMapping
{
    /// <summary>The first id in the container.</summary>
    [JsonPropertyName("containerID")]
    public required uint ContainerId { get; set; }

    /// <summary>The first id on the host.</summary>
    [JsonPropertyName("hostID")]
    public required uint HostId { get; set; }

    /// <summary>How many ids are mapped.</summary>
    [JsonPropertyName("size")]
    public required uint Size { get; set; }

    /// <summary>Fields this model does not know (for example from a newer runtime-spec), kept so a round trip does not lose them.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
