using System.Text.Json;
using System.Text.Json.Serialization;

namespace Containers.Oci.Runtime;

/// <summary>Linux-specific features of a runtime. Every member may be null, meaning unknown.</summary>
public sealed class LinuxFeatures
{
    /// <summary>The namespace types recognized.</summary>
    [JsonPropertyName("namespaces")]
    public IList<string>? Namespaces { get; set; }

    /// <summary>The capabilities recognized.</summary>
    [JsonPropertyName("capabilities")]
    public IList<string>? Capabilities { get; set; }

    /// <summary>Cgroup support.</summary>
    [JsonPropertyName("cgroup")]
    public CgroupFeatures? Cgroup { get; set; }

    /// <summary>Seccomp support.</summary>
    [JsonPropertyName("seccomp")]
    public SeccompFeatures? Seccomp { get; set; }

    /// <summary>AppArmor support.</summary>
    [JsonPropertyName("apparmor")]
    public FeatureSupport? Apparmor { get; set; }

    /// <summary>SELinux support.</summary>
    [JsonPropertyName("selinux")]
    public FeatureSupport? Selinux { get; set; }

    /// <summary>Intel RDT support.</summary>
    [JsonPropertyName("intelRdt")]
    public FeatureSupport? IntelRdt { get; set; }

    /// <summary>Mount extensions support.</summary>
    [JsonPropertyName("mountExtensions")]
    public MountExtensionsFeatures? MountExtensions { get; set; }

    /// <summary>Fields this model does not know (for example from a newer runtime-spec), kept so a round trip does not lose them.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
