using System.Text.Json;
using System.Text.Json.Serialization;

namespace Containers.Oci.Runtime;

/// <summary>The capability sets of a process. Values are <see cref="LinuxCapability"/> names.</summary>
public sealed class LinuxCapabilities
{
    /// <summary>The bounding set: what the process can ever gain.</summary>
    [JsonPropertyName("bounding")]
    public IList<string>? Bounding { get; set; }

    /// <summary>The effective set: what the kernel checks.</summary>
    [JsonPropertyName("effective")]
    public IList<string>? Effective { get; set; }

    /// <summary>The inheritable set: what is kept across execve.</summary>
    [JsonPropertyName("inheritable")]
    public IList<string>? Inheritable { get; set; }

    /// <summary>The permitted set: the ceiling of the effective set.</summary>
    [JsonPropertyName("permitted")]
    public IList<string>? Permitted { get; set; }

    /// <summary>The ambient set: kept across execve of unprivileged programs.</summary>
    [JsonPropertyName("ambient")]
    public IList<string>? Ambient { get; set; }

    /// <summary>Fields this model does not know (for example from a newer runtime-spec), kept so a round trip does not lose them.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
