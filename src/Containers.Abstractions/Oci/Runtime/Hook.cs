using System.Text.Json;
using System.Text.Json.Serialization;

namespace Containers.Oci.Runtime;

/// <summary>A command run at a point of the container's lifecycle.</summary>
public sealed class Hook
{
    /// <summary>The absolute path of the executable, in the runtime namespace.</summary>
    [JsonPropertyName("path")]
    public required string Path { get; set; }

    /// <summary>The arguments, including argv[0].</summary>
    [JsonPropertyName("args")]
    public IList<string>? Args { get; set; }

    /// <summary>Environment variables as <c>KEY=value</c>.</summary>
    [JsonPropertyName("env")]
    public IList<string>? Env { get; set; }

    /// <summary>Seconds before the hook is aborted; greater than zero.</summary>
    [JsonPropertyName("timeout")]
    public int? Timeout { get; set; }

    /// <summary>Fields this model does not know (for example from a newer runtime-spec), kept so a round trip does not lose them.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
