using System.Text.Json;
using System.Text.Json.Serialization;

namespace Containers.Oci.Runtime;

/// <summary>Which cgroup drivers a runtime was built with (not what the host has). Null means unknown.</summary>
public sealed class CgroupFeatures
{
    /// <summary>cgroup v1 support.</summary>
    [JsonPropertyName("v1")]
    public bool? V1 { get; set; }

    /// <summary>cgroup v2 support.</summary>
    [JsonPropertyName("v2")]
    public bool? V2 { get; set; }

    /// <summary>systemd cgroup driver support.</summary>
    [JsonPropertyName("systemd")]
    public bool? Systemd { get; set; }

    /// <summary>User-scoped systemd cgroup driver support.</summary>
    [JsonPropertyName("systemdUser")]
    public bool? SystemdUser { get; set; }

    /// <summary>RDMA cgroup support.</summary>
    [JsonPropertyName("rdma")]
    public bool? Rdma { get; set; }

    /// <summary>Fields this model does not know (for example from a newer runtime-spec), kept so a round trip does not lose them.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
