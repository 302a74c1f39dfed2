using System.Text.Json;
using System.Text.Json.Serialization;

namespace Containers.Oci.Runtime;

/// <summary>The runtime-spec features document (<c>runc features</c>): what a runtime implements.</summary>
public sealed class Features
{
    /// <summary>The lowest runtime-spec version the runtime accepts.</summary>
    [JsonPropertyName("ociVersionMin")]
    public required string OciVersionMin { get; set; }

    /// <summary>The highest runtime-spec version the runtime accepts.</summary>
    [JsonPropertyName("ociVersionMax")]
    public required string OciVersionMax { get; set; }

    /// <summary>The hook names recognized; null means unknown.</summary>
    [JsonPropertyName("hooks")]
    public IList<string>? Hooks { get; set; }

    /// <summary>The mount options recognized; null means unknown.</summary>
    [JsonPropertyName("mountOptions")]
    public IList<string>? MountOptions { get; set; }

    /// <summary>Linux-specific features.</summary>
    [JsonPropertyName("linux")]
    public LinuxFeatures? Linux { get; set; }

    /// <summary>Implementation-specific metadata, e.g. the runtime's version.</summary>
    [JsonPropertyName("annotations")]
    public IDictionary<string, string>? Annotations { get; set; }

    /// <summary>config.json annotations that may change the runtime's behaviour unsafely; a value ending in <c>.</c> is a prefix.</summary>
    [JsonPropertyName("potentiallyUnsafeConfigAnnotations")]
    public IList<string>? PotentiallyUnsafeConfigAnnotations { get; set; }

    /// <summary>Fields this model does not know (for example from a newer runtime-spec), kept so a round trip does not lose them.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
