using System.Text.Json;
using System.Text.Json.Serialization;

namespace Containers.Oci.Runtime;

/// <summary>The execution domain of the container (personality(2)).</summary>
public sealed class LinuxPersonality
{
    /// <summary>A <see cref="PersonalityDomain"/> value.</summary>
    [JsonPropertyName("domain")]
    public required string Domain { get; set; }

    /// <summary>Additional personality flags; none are defined yet.</summary>
    [JsonPropertyName("flags")]
    public IList<string>? Flags { get; set; }

    /// <summary>Fields this model does not know (for example from a newer runtime-spec), kept so a round trip does not lose them.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
