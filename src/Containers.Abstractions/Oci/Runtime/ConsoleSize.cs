using System.Text.Json;
using System.Text.Json.Serialization;

namespace Containers.Oci.Runtime;

/// <summary>The size of a console, in characters (Go's <c>Box</c>).</summary>
public sealed class ConsoleSize
{
    /// <summary>Rows.</summary>
    [JsonPropertyName("height")]
    public required uint Height { get; set; }

    /// <summary>Columns.</summary>
    [JsonPropertyName("width")]
    public required uint Width { get; set; }

    /// <summary>Fields this model does not know (for example from a newer runtime-spec), kept so a round trip does not lose them.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
