using System.Text.Json;
using System.Text.Json.Serialization;

namespace Containers.Oci.Runtime;

/// <summary>net_cls and net_prio cgroup settings.</summary>
public sealed class LinuxNetwork
{
    /// <summary>The net_cls class id of the container's packets.</summary>
    [JsonPropertyName("classID")]
    public uint? ClassId { get; set; }

    /// <summary>Traffic priorities per interface.</summary>
    [JsonPropertyName("priorities")]
    public IList<LinuxInterfacePriority>? Priorities { get; set; }

    /// <summary>Fields this model does not know (for example from a newer runtime-spec), kept so a round trip does not lose them.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
