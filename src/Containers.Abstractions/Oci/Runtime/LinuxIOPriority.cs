using System.Text.Json;
using System.Text.Json.Serialization;

namespace Containers.Oci.Runtime;

/// <summary>The I/O scheduling class and priority of the process.</summary>
public sealed class LinuxIOPriority
{
    /// <summary>An <see cref="IOPriorityClass"/> value.</summary>
    [JsonPropertyName("class")]
    public required string Class { get; set; }

    /// <summary>The priority within the class, 0 (highest) to 7.</summary>
    [JsonPropertyName("priority")]
    public required int Priority { get; set; }

    /// <summary>Fields this model does not know (for example from a newer runtime-spec), kept so a round trip does not lose them.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
