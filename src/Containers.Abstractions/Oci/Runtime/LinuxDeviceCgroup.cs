using System.Text.Json;
using System.Text.Json.Serialization;

namespace Containers.Oci.Runtime;

/// <summary>One rule of the device cgroup: allow or deny access to devices.</summary>
public sealed class LinuxDeviceCgroup
{
    /// <summary>Whether the rule allows (true) or denies (false).</summary>
    [JsonPropertyName("allow")]
    public required bool Allow { get; set; }

    /// <summary>a (all), c (char) or b (block); unset means all.</summary>
    [JsonPropertyName("type")]
    public string? Type { get; set; }

    /// <summary>The major number; unset means all.</summary>
    [JsonPropertyName("major")]
    public long? Major { get; set; }

    /// <summary>The minor number; unset means all.</summary>
    [JsonPropertyName("minor")]
    public long? Minor { get; set; }

    /// <summary>Any of r, w and m; unset means all.</summary>
    [JsonPropertyName("access")]
    public string? Access { get; set; }

    /// <summary>Fields this model does not know (for example from a newer runtime-spec), kept so a round trip does not lose them.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
