using System.Text.Json;
using System.Text.Json.Serialization;

namespace Containers.Oci.Runtime;

/// <summary>A condition on one syscall argument.</summary>
public sealed class LinuxSeccompArg
{
    /// <summary>The argument index, 0 to 5.</summary>
    [JsonPropertyName("index")]
    public required uint Index { get; set; }

    /// <summary>The value compared with.</summary>
    [JsonPropertyName("value")]
    public required ulong Value { get; set; }

    /// <summary>The second value (the compared value for SCMP_CMP_MASKED_EQ).</summary>
    [JsonPropertyName("valueTwo")]
    public ulong? ValueTwo { get; set; }

    /// <summary>A <see cref="SeccompOperator"/> value.</summary>
    [JsonPropertyName("op")]
    public required string Op { get; set; }

    /// <summary>Fields this model does not know (for example from a newer runtime-spec), kept so a round trip does not lose them.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
