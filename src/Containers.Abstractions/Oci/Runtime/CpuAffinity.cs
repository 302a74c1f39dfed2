using System.Text.Json;
using System.Text.Json.Serialization;

namespace Containers.Oci.Runtime;

/// <summary>The CPU affinity given to processes that <c>exec</c> starts, as cpuset lists such as <c>0-3,7</c>.</summary>
public sealed class CpuAffinity
{
    /// <summary>The affinity while the runtime sets the process up, before it joins the cgroup.</summary>
    [JsonPropertyName("initial")]
    public string? Initial { get; set; }

    /// <summary>The affinity of the process once it runs the user program.</summary>
    [JsonPropertyName("final")]
    public string? Final { get; set; }

    /// <summary>Fields this model does not know (for example from a newer runtime-spec), kept so a round trip does not lose them.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
