using System.Text.Json;
using System.Text.Json.Serialization;

namespace Containers.Oci.Runtime;

/// <summary>The user a process runs as. Ids are in the container's user namespace.</summary>
public sealed class ProcessUser
{
    /// <summary>The user id.</summary>
    [JsonPropertyName("uid")]
    public required uint Uid { get; set; }

    /// <summary>The group id.</summary>
    [JsonPropertyName("gid")]
    public required uint Gid { get; set; }

    /// <summary>The umask of the process; unset keeps the runtime's default.</summary>
    [JsonPropertyName("umask")]
    public uint? Umask { get; set; }

    /// <summary>Supplementary group ids.</summary>
    [JsonPropertyName("additionalGids")]
    public IList<uint>? AdditionalGids { get; set; }

    /// <summary>The user name (Windows only).</summary>
    [JsonPropertyName("username")]
    public string? Username { get; set; }

    /// <summary>Fields this model does not know (for example from a newer runtime-spec), kept so a round trip does not lose them.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
