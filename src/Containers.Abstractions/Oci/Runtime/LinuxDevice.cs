using System.Text.Json;
using System.Text.Json.Serialization;

namespace Containers.Oci.Runtime;

/// <summary>A device node created in the container.</summary>
public sealed class LinuxDevice
{
    /// <summary>The absolute path of the node in the container.</summary>
    [JsonPropertyName("path")]
    public required string Path { get; set; }

    /// <summary>A <see cref="LinuxDeviceType"/> value: c, b, u or p.</summary>
    [JsonPropertyName("type")]
    public required string Type { get; set; }

    /// <summary>The major number; required except for FIFOs.</summary>
    [JsonPropertyName("major")]
    public long? Major { get; set; }

    /// <summary>The minor number; required except for FIFOs.</summary>
    [JsonPropertyName("minor")]
    public long? Minor { get; set; }

    /// <summary>The permission bits of the node.</summary>
    [JsonPropertyName("fileMode")]
    public uint? FileMode { get; set; }

    /// <summary>The owner of the node, in the container.</summary>
    [JsonPropertyName("uid")]
    public uint? Uid { get; set; }

    /// <summary>The group of the node, in the container.</summary>
    [JsonPropertyName("gid")]
    public uint? Gid { get; set; }

    /// <summary>Fields this model does not know (for example from a newer runtime-spec), kept so a round trip does not lose them.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
