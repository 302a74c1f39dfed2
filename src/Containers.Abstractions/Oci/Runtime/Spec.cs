using System.Text.Json;
using System.Text.Json.Serialization;

namespace Containers.Oci.Runtime;

/// <summary>The root of an OCI runtime-spec <c>config.json</c>: what a runtime needs to create a container.</summary>
/// <remarks>The solaris, windows, vm and zos sections are not modelled: they land in <see cref="ExtensionData"/> and are written back unchanged.</remarks>
public sealed class Spec
{
    /// <summary>The runtime-spec version (SemVer 2.0.0) the bundle complies with.</summary>
    [JsonPropertyName("ociVersion")]
    public required string OciVersion { get; set; }

    /// <summary>The container's init process; optional so a config can be created before it is known.</summary>
    [JsonPropertyName("process")]
    public ProcessSpec? Process { get; set; }

    /// <summary>The container's root filesystem.</summary>
    [JsonPropertyName("root")]
    public Root? Root { get; set; }

    /// <summary>The hostname seen inside the container (needs a UTS namespace).</summary>
    [JsonPropertyName("hostname")]
    public string? Hostname { get; set; }

    /// <summary>The NIS domain name seen inside the container (needs a UTS namespace).</summary>
    [JsonPropertyName("domainname")]
    public string? Domainname { get; set; }

    /// <summary>Mounts made on top of the root filesystem, in order.</summary>
    [JsonPropertyName("mounts")]
    public IList<Mount>? Mounts { get; set; }

    /// <summary>Commands run at points of the container's lifecycle.</summary>
    [JsonPropertyName("hooks")]
    public Hooks? Hooks { get; set; }

    /// <summary>Arbitrary metadata; keys are reverse-domain names and must not be empty.</summary>
    [JsonPropertyName("annotations")]
    public IDictionary<string, string>? Annotations { get; set; }

    /// <summary>Linux-specific configuration.</summary>
    [JsonPropertyName("linux")]
    public Linux? Linux { get; set; }

    /// <summary>Fields this model does not know (for example from a newer runtime-spec), kept so a round trip does not lose them.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
