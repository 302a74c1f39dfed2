using System.Text.Json;
using System.Text.Json.Serialization;

namespace Containers.Oci.Runtime;

/// <summary>Whether a runtime was built with one optional feature (AppArmor, SELinux, Intel RDT, id-mapped mounts).</summary>
public sealed class FeatureSupport
{
    /// <summary>Whether support is built in; null means unknown.</summary>
    [JsonPropertyName("enabled")]
    public bool? Enabled { get; set; }

    /// <summary>Fields this model does not know (for example from a newer runtime-spec), kept so a round trip does not lose them.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
