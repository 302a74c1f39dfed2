using System.Text.Json;
using System.Text.Json.Serialization;

namespace Containers.Oci.Runtime;

/// <summary>The runtime-spec state of a container, as <c>runc state</c> prints it.</summary>
public sealed class State
{
    /// <summary>The runtime-spec version the state complies with.</summary>
    [JsonPropertyName("ociVersion")]
    public required string OciVersion { get; set; }

    /// <summary>The container's id, unique on this host.</summary>
    [JsonPropertyName("id")]
    public required string Id { get; set; }

    /// <summary>One of the <see cref="ContainerStatus"/> values.</summary>
    [JsonPropertyName("status")]
    public required string Status { get; set; }

    /// <summary>The host pid of the container's init, while it is created or running.</summary>
    [JsonPropertyName("pid")]
    public int? Pid { get; set; }

    /// <summary>Absolute path of the bundle directory.</summary>
    [JsonPropertyName("bundle")]
    public required string Bundle { get; set; }

    /// <summary>The annotations of the container's config.</summary>
    [JsonPropertyName("annotations")]
    public IDictionary<string, string>? Annotations { get; set; }

    /// <summary>Fields this version does not know, kept so a round trip does not lose them.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
