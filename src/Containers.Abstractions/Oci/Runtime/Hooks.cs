using System.Text.Json;
using System.Text.Json.Serialization;

namespace Containers.Oci.Runtime;

/// <summary>The lifecycle hooks of a container.</summary>
public sealed class Hooks
{
    /// <summary>Run after the create operation, in the runtime namespace. Deprecated in favour of <see cref="CreateRuntime"/>.</summary>
    [JsonPropertyName("prestart")]
    public IList<Hook>? Prestart { get; set; }

    /// <summary>Run during create after the namespaces exist, before pivot_root, in the runtime namespace.</summary>
    [JsonPropertyName("createRuntime")]
    public IList<Hook>? CreateRuntime { get; set; }

    /// <summary>Run during create before pivot_root, in the container namespace.</summary>
    [JsonPropertyName("createContainer")]
    public IList<Hook>? CreateContainer { get; set; }

    /// <summary>Run during start before the user program, in the container namespace.</summary>
    [JsonPropertyName("startContainer")]
    public IList<Hook>? StartContainer { get; set; }

    /// <summary>Run after the user program started, in the runtime namespace.</summary>
    [JsonPropertyName("poststart")]
    public IList<Hook>? Poststart { get; set; }

    /// <summary>Run after the container was deleted, in the runtime namespace.</summary>
    [JsonPropertyName("poststop")]
    public IList<Hook>? Poststop { get; set; }

    /// <summary>Fields this model does not know (for example from a newer runtime-spec), kept so a round trip does not lose them.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
