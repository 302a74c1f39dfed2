using System.Text.Json;
using System.Text.Json.Serialization;

namespace Containers.Oci.Runtime;

/// <summary>A namespace the container creates, or joins when <see cref="Path"/> is set.</summary>
public sealed class LinuxNamespace
{
    /// <summary>A <see cref="LinuxNamespaceType"/> value.</summary>
    [JsonPropertyName("type")]
    public required string Type { get; set; }

    /// <summary>An absolute path of a namespace file to join, e.g. <c>/proc/1234/ns/net</c>.</summary>
    [JsonPropertyName("path")]
    public string? Path { get; set; }

    /// <summary>Fields this model does not know (for example from a newer runtime-spec), kept so a round trip does not lose them.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
