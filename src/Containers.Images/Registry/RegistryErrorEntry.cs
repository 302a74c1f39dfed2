using System.Text.Json;
using System.Text.Json.Serialization;

namespace Containers.Registry;

/// <summary>One entry of a registry error body.</summary>
internal sealed class RegistryErrorEntry
{
    [JsonPropertyName("code")]
    public string? Code { get; set; }

    [JsonPropertyName("message")]
    public string? Message { get; set; }

    [JsonPropertyName("detail")]
    public JsonElement? Detail { get; set; }
}
