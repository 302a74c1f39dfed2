using System.Text.Json;
using System.Text.Json.Serialization;

namespace Containers.Oci.Runtime;

/// <summary>The pids cgroup limit.</summary>
public sealed class LinuxPids
{
    /// <summary>The most tasks the cgroup may hold; -1 for unlimited.</summary>
    [JsonPropertyName("limit")]
    public required long Limit { get; set; }

    /// <summary>Fields this model does not know (for example from a newer runtime-spec), kept so a round trip does not lose them.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
