using System.Text.Json.Serialization;

namespace Containers.Runc.State;

/// <summary>The JSON <c>runc state</c> and <c>runc list --format json</c> print, field for field.</summary>
internal sealed class StateView
{
    /// <summary>runtime-spec version.</summary>
    [JsonPropertyName("ociVersion")]
    public required string OciVersion { get; set; }

    /// <summary>Container id.</summary>
    [JsonPropertyName("id")]
    public required string Id { get; set; }

    /// <summary>Init pid (0 when stopped).</summary>
    [JsonPropertyName("pid")]
    public int Pid { get; set; }

    /// <summary>created, running or stopped.</summary>
    [JsonPropertyName("status")]
    public required string Status { get; set; }

    /// <summary>Bundle path.</summary>
    [JsonPropertyName("bundle")]
    public required string Bundle { get; set; }

    /// <summary>Rootfs path.</summary>
    [JsonPropertyName("rootfs")]
    public required string Rootfs { get; set; }

    /// <summary>Creation time, RFC 3339 with nanoseconds like runc.</summary>
    [JsonPropertyName("created")]
    public required string Created { get; set; }

    /// <summary>Annotations, omitted when empty.</summary>
    [JsonPropertyName("annotations")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IDictionary<string, string>? Annotations { get; set; }

    /// <summary>Owner user name (runc prints the owner of the state directory; runcs runs as root).</summary>
    [JsonPropertyName("owner")]
    public string Owner { get; set; } = string.Empty;
}
