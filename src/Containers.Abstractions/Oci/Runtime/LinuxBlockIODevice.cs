using System.Text.Json;
using System.Text.Json.Serialization;

namespace Containers.Oci.Runtime;

/// <summary>A block device named by its major and minor numbers, as the blkio rules name it.</summary>
public abstract class LinuxBlockIODevice
{
    /// <summary>The major number.</summary>
    [JsonPropertyName("major")]
    public required long Major { get; set; }

    /// <summary>The minor number.</summary>
    [JsonPropertyName("minor")]
    public required long Minor { get; set; }

    /// <summary>Fields this model does not know (for example from a newer runtime-spec), kept so a round trip does not lose them.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
