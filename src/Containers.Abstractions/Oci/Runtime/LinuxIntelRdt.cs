using System.Text.Json;
using System.Text.Json.Serialization;

namespace Containers.Oci.Runtime;

/// <summary>Intel Resource Director Technology settings (resctrl).</summary>
public sealed class LinuxIntelRdt
{
    /// <summary>The resctrl group (class of service) to create or join.</summary>
    [JsonPropertyName("closID")]
    public string? ClosId { get; set; }

    /// <summary>The L3 cache allocation schema.</summary>
    [JsonPropertyName("l3CacheSchema")]
    public string? L3CacheSchema { get; set; }

    /// <summary>The memory bandwidth allocation schema.</summary>
    [JsonPropertyName("memBwSchema")]
    public string? MemBwSchema { get; set; }

    /// <summary>Whether cache monitoring is enabled.</summary>
    [JsonPropertyName("enableCMT")]
    public bool? EnableCmt { get; set; }

    /// <summary>Whether memory bandwidth monitoring is enabled.</summary>
    [JsonPropertyName("enableMBM")]
    public bool? EnableMbm { get; set; }

    /// <summary>Fields this model does not know (for example from a newer runtime-spec), kept so a round trip does not lose them.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
