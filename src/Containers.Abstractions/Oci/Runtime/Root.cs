using System.Text.Json;
using System.Text.Json.Serialization;

namespace Containers.Oci.Runtime;

/// <summary>The container's root filesystem.</summary>
public sealed class Root
{
    /// <summary>The path of the root filesystem, absolute or relative to the bundle.</summary>
    [JsonPropertyName("path")]
    public required string Path { get; set; }

    /// <summary>Whether the root filesystem is made read-only.</summary>
    [JsonPropertyName("readonly")]
    public bool? Readonly { get; set; }

    /// <summary>Fields this model does not know (for example from a newer runtime-spec), kept so a round trip does not lose them.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
