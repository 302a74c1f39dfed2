using System.Text.Json;
using System.Text.Json.Serialization;

namespace Containers.Oci.Runtime;

/// <summary>The offset of one clock in a time namespace.</summary>
public sealed class LinuxTimeOffset
{
    /// <summary>Whole seconds.</summary>
    [JsonPropertyName("secs")]
    public long? Secs { get; set; }

    /// <summary>Additional nanoseconds.</summary>
    [JsonPropertyName("nanosecs")]
    public uint? Nanosecs { get; set; }

    /// <summary>Fields this model does not know (for example from a newer runtime-spec), kept so a round trip does not lose them.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
