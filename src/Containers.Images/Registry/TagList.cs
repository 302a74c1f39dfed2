using System.Text.Json.Serialization;

namespace Containers.Registry;

/// <summary>The body of <c>GET /v2/NAME/tags/list</c>.</summary>
internal sealed class TagList
{
    [JsonPropertyName("name")]
    public string? Name { get; set; }

    [JsonPropertyName("tags")]
    public List<string>? Tags { get; set; }
}
