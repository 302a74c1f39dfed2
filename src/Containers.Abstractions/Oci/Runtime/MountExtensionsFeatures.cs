using System.Text.Json;
using System.Text.Json.Serialization;

namespace Containers.Oci.Runtime;

/// <summary>Mount extensions a runtime supports.</summary>
public sealed class MountExtensionsFeatures
{
    /// <summary>Id-mapped mount support.</summary>
    [JsonPropertyName("idmap")]
    public FeatureSupport? IdMap { get; set; }

    /// <summary>Fields this model does not know (for example from a newer runtime-spec), kept so a round trip does not lose them.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
