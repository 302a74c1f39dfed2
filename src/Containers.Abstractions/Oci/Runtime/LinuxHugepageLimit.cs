using System.Text.Json;
using System.Text.Json.Serialization;

namespace Containers.Oci.Runtime;

/// <summary>A limit on one huge page size.</summary>
public sealed class LinuxHugepageLimit
{
    /// <summary>The page size as <c>&lt;size&gt;&lt;unit&gt;B</c>, e.g. <c>2MB</c>.</summary>
    [JsonPropertyName("pageSize")]
    public required string PageSize { get; set; }

    /// <summary>The limit in bytes.</summary>
    [JsonPropertyName("limit")]
    public required ulong Limit { get; set; }

    /// <summary>Fields this model does not know (for example from a newer runtime-spec), kept so a round trip does not lose them.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
