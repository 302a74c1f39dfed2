using System.Text.Json;
using System.Text.Json.Serialization;

namespace Containers.Oci.Runtime;

/// <summary>The seccomp support of a runtime. Null members mean unknown.</summary>
public sealed class SeccompFeatures
{
    /// <summary>Whether seccomp support is built in.</summary>
    [JsonPropertyName("enabled")]
    public bool? Enabled { get; set; }

    /// <summary>Recognized actions.</summary>
    [JsonPropertyName("actions")]
    public IList<string>? Actions { get; set; }

    /// <summary>Recognized operators.</summary>
    [JsonPropertyName("operators")]
    public IList<string>? Operators { get; set; }

    /// <summary>Recognized architectures.</summary>
    [JsonPropertyName("archs")]
    public IList<string>? Archs { get; set; }

    /// <summary>Recognized filter flags.</summary>
    [JsonPropertyName("knownFlags")]
    public IList<string>? KnownFlags { get; set; }

    /// <summary>Filter flags the kernel and libseccomp support; a subset of <see cref="KnownFlags"/>.</summary>
    [JsonPropertyName("supportedFlags")]
    public IList<string>? SupportedFlags { get; set; }

    /// <summary>Fields this model does not know (for example from a newer runtime-spec), kept so a round trip does not lose them.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
