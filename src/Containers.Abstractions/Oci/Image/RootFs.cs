using System.Text.Json.Serialization;

namespace Containers.Oci.Image;

/// <summary>The <c>rootfs</c> object of an image config: the layers' uncompressed digests.</summary>
public sealed class RootFs
{
    /// <summary>The value of <see cref="Type"/> the image-spec allows.</summary>
    public const string LayersType = "layers";

    /// <summary>Always <c>layers</c>.</summary>
    [JsonPropertyName("type")]
    public required string Type { get; set; }

    /// <summary>The digest of each layer's uncompressed tar, base layer first.</summary>
    [JsonPropertyName("diff_ids")]
    public required IList<Digest> DiffIds { get; set; }
}
