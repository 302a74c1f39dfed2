using System.Text.Json.Serialization;

namespace Containers.Oci.Image;

/// <summary>One step of an image's build history.</summary>
public sealed class HistoryEntry
{
    /// <summary>When the step ran, as an RFC 3339 date-time (kept as text; see <see cref="ImageConfig.Created"/>).</summary>
    [JsonPropertyName("created")]
    public string? Created { get; set; }

    /// <summary>The command that made the step.</summary>
    [JsonPropertyName("created_by")]
    public string? CreatedBy { get; set; }

    /// <summary>Who made the step.</summary>
    [JsonPropertyName("author")]
    public string? Author { get; set; }

    /// <summary>A free-form comment.</summary>
    [JsonPropertyName("comment")]
    public string? Comment { get; set; }

    /// <summary>True when the step made no layer (so it has no entry in <see cref="RootFs.DiffIds"/>).</summary>
    [JsonPropertyName("empty_layer")]
    public bool? EmptyLayer { get; set; }
}
