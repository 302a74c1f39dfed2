using System.Text.Json.Serialization;

namespace Containers.Registry;

/// <summary>The distribution spec's error body: <c>{"errors":[{"code":…,"message":…}]}</c>.</summary>
internal sealed class RegistryErrorBody
{
    [JsonPropertyName("errors")]
    public List<RegistryErrorEntry>? Errors { get; set; }
}
