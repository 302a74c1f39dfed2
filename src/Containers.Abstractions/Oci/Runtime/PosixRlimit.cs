using System.Text.Json;
using System.Text.Json.Serialization;

namespace Containers.Oci.Runtime;

/// <summary>A resource limit of the process (setrlimit(2)).</summary>
public sealed class PosixRlimit
{
    /// <summary>A <see cref="PosixRlimitType"/> name, e.g. <c>RLIMIT_NOFILE</c>.</summary>
    [JsonPropertyName("type")]
    public required string Type { get; set; }

    /// <summary>The hard limit: the ceiling an unprivileged process may raise the soft limit to.</summary>
    [JsonPropertyName("hard")]
    public required ulong Hard { get; set; }

    /// <summary>The soft limit the kernel enforces; at most <see cref="Hard"/>.</summary>
    [JsonPropertyName("soft")]
    public required ulong Soft { get; set; }

    /// <summary>Fields this model does not know (for example from a newer runtime-spec), kept so a round trip does not lose them.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
