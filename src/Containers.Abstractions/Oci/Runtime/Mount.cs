using System.Text.Json;
using System.Text.Json.Serialization;

namespace Containers.Oci.Runtime;

/// <summary>A mount made inside the container.</summary>
public sealed class Mount
{
    /// <summary>Where the mount is placed in the container; absolute.</summary>
    [JsonPropertyName("destination")]
    public required string Destination { get; set; }

    /// <summary>The filesystem type, e.g. <c>proc</c>, <c>tmpfs</c>, <c>bind</c>.</summary>
    [JsonPropertyName("type")]
    public string? Type { get; set; }

    /// <summary>A device, a host path (absolute or relative to the bundle) or a dummy name.</summary>
    [JsonPropertyName("source")]
    public string? Source { get; set; }

    /// <summary>fstab-style mount options, e.g. <c>nosuid</c>, <c>rbind</c>, <c>idmap</c>.</summary>
    [JsonPropertyName("options")]
    public IList<string>? Options { get; set; }

    /// <summary>The user id mapping of an id-mapped mount.</summary>
    [JsonPropertyName("uidMappings")]
    public IList<LinuxIdMapping>? UidMappings { get; set; }

    /// <summary>The group id mapping of an id-mapped mount.</summary>
    [JsonPropertyName("gidMappings")]
    public IList<LinuxIdMapping>? GidMappings { get; set; }

    /// <summary>Fields this model does not know (for example from a newer runtime-spec), kept so a round trip does not lose them.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
