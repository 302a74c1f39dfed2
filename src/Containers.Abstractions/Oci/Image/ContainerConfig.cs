using System.Text.Json;
using System.Text.Json.Serialization;

namespace Containers.Oci.Image;

/// <summary>
/// The <c>config</c> object of an image config: the defaults for running a container from the image.
/// Property names are capitalised as in the image-spec (they come from Docker).
/// </summary>
/// <remarks>
/// Docker-only fields (<c>Memory</c>, <c>MemorySwap</c>, <c>CpuShares</c>, <c>Healthcheck</c>,
/// <c>Hostname</c>, <c>OnBuild</c>…) are not modelled; they land in <see cref="ExtensionData"/>
/// and are written back unchanged.
/// </remarks>
public sealed class ContainerConfig
{
    /// <summary>The user (name or uid, optionally <c>:group</c>) the process runs as.</summary>
    [JsonPropertyName("User")]
    public string? User { get; set; }

    /// <summary>Ports to expose, as <c>port/tcp</c>, <c>port/udp</c> or <c>port</c>.</summary>
    [JsonPropertyName("ExposedPorts")]
    [JsonConverter(typeof(StringSetJsonConverter))]
    public ISet<string>? ExposedPorts { get; set; }

    /// <summary>Environment entries, <c>NAME=value</c>.</summary>
    [JsonPropertyName("Env")]
    public IList<string>? Env { get; set; }

    /// <summary>The command prefix.</summary>
    [JsonPropertyName("Entrypoint")]
    public IList<string>? Entrypoint { get; set; }

    /// <summary>The default arguments (or the command, without an entrypoint).</summary>
    [JsonPropertyName("Cmd")]
    public IList<string>? Cmd { get; set; }

    /// <summary>Paths where the container should get a volume.</summary>
    [JsonPropertyName("Volumes")]
    [JsonConverter(typeof(StringSetJsonConverter))]
    public ISet<string>? Volumes { get; set; }

    /// <summary>The process's working directory.</summary>
    [JsonPropertyName("WorkingDir")]
    public string? WorkingDir { get; set; }

    /// <summary>Arbitrary metadata.</summary>
    [JsonPropertyName("Labels")]
    public IDictionary<string, string>? Labels { get; set; }

    /// <summary>The signal that stops the container, for example <c>SIGTERM</c>.</summary>
    [JsonPropertyName("StopSignal")]
    public string? StopSignal { get; set; }

    /// <summary>Windows only: the command line is already escaped.</summary>
    [JsonPropertyName("ArgsEscaped")]
    public bool? ArgsEscaped { get; set; }

    /// <summary>Fields this version does not model (Docker extras), kept for a round trip.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
