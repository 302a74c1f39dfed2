using System.Text.Json;
using System.Text.Json.Serialization;

namespace Containers.Oci.Runtime;

/// <summary>Linux-specific configuration of a container (<c>linux</c> in config.json).</summary>
public sealed class Linux
{
    /// <summary>User id mappings of the user namespace; only with a new user namespace.</summary>
    [JsonPropertyName("uidMappings")]
    public IList<LinuxIdMapping>? UidMappings { get; set; }

    /// <summary>Group id mappings of the user namespace; only with a new user namespace.</summary>
    [JsonPropertyName("gidMappings")]
    public IList<LinuxIdMapping>? GidMappings { get; set; }

    /// <summary>Clock offsets of the time namespace, keyed by <see cref="TimeOffsetClock"/>.</summary>
    [JsonPropertyName("timeOffsets")]
    public IDictionary<string, LinuxTimeOffset>? TimeOffsets { get; set; }

    /// <summary>Kernel parameters set in the container.</summary>
    [JsonPropertyName("sysctl")]
    public IDictionary<string, string>? Sysctl { get; set; }

    /// <summary>Cgroup resource limits.</summary>
    [JsonPropertyName("resources")]
    public LinuxResources? Resources { get; set; }

    /// <summary>The cgroup to create or join (or <c>slice:prefix:name</c> with systemd).</summary>
    [JsonPropertyName("cgroupsPath")]
    public string? CgroupsPath { get; set; }

    /// <summary>The namespaces to create or join.</summary>
    [JsonPropertyName("namespaces")]
    public IList<LinuxNamespace>? Namespaces { get; set; }

    /// <summary>Device nodes to create in the container.</summary>
    [JsonPropertyName("devices")]
    public IList<LinuxDevice>? Devices { get; set; }

    /// <summary>The seccomp filter of the container.</summary>
    [JsonPropertyName("seccomp")]
    public LinuxSeccomp? Seccomp { get; set; }

    /// <summary>The propagation of the root mount, a <see cref="RootfsPropagation"/> value.</summary>
    [JsonPropertyName("rootfsPropagation")]
    public string? RootfsPropagation { get; set; }

    /// <summary>Paths made unreadable inside the container.</summary>
    [JsonPropertyName("maskedPaths")]
    public IList<string>? MaskedPaths { get; set; }

    /// <summary>Paths made read-only inside the container.</summary>
    [JsonPropertyName("readonlyPaths")]
    public IList<string>? ReadonlyPaths { get; set; }

    /// <summary>The SELinux context of the container's mounts.</summary>
    [JsonPropertyName("mountLabel")]
    public string? MountLabel { get; set; }

    /// <summary>Intel Resource Director Technology settings.</summary>
    [JsonPropertyName("intelRdt")]
    public LinuxIntelRdt? IntelRdt { get; set; }

    /// <summary>The execution domain set with personality(2).</summary>
    [JsonPropertyName("personality")]
    public LinuxPersonality? Personality { get; set; }

    /// <summary>Fields this model does not know (for example from a newer runtime-spec), kept so a round trip does not lose them.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
