using System.Text.Json;
using System.Text.Json.Serialization;

namespace Containers.Oci.Image;

/// <summary>
/// An OCI content descriptor: what a piece of content is (<see cref="MediaType"/>), how to find and
/// verify it (<see cref="Digest"/>, <see cref="Size"/>), and optional metadata.
/// </summary>
public sealed class Descriptor
{
    /// <summary>The media type of the referenced content.</summary>
    [JsonPropertyName("mediaType")]
    public required string MediaType { get; set; }

    /// <summary>The digest of the referenced content.</summary>
    [JsonPropertyName("digest")]
    public required Digest Digest { get; set; }

    /// <summary>The size of the referenced content in bytes.</summary>
    [JsonPropertyName("size")]
    public required long Size { get; set; }

    /// <summary>Other locations the content may be fetched from.</summary>
    [JsonPropertyName("urls")]
    public IList<string>? Urls { get; set; }

    /// <summary>Arbitrary metadata.</summary>
    [JsonPropertyName("annotations")]
    public IDictionary<string, string>? Annotations { get; set; }

    /// <summary>The content itself, embedded (base64 in JSON); must hash to <see cref="Digest"/>.</summary>
    [JsonPropertyName("data")]
    public byte[]? Data { get; set; }

    /// <summary>The platform of the referenced manifest, in an index.</summary>
    [JsonPropertyName("platform")]
    public Platform? Platform { get; set; }

    /// <summary>The type of an artifact when the descriptor points at one.</summary>
    [JsonPropertyName("artifactType")]
    public string? ArtifactType { get; set; }

    /// <summary>Fields this version does not know, kept so a round trip does not lose them.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }

    /// <summary>A descriptor of <paramref name="content"/>: its sha256 digest and length.</summary>
    /// <param name="mediaType">The media type of the content.</param>
    /// <param name="content">The bytes described.</param>
    /// <param name="embed">True to also carry the bytes in <see cref="Data"/> (for small blobs only).</param>
    public static Descriptor FromContent(string mediaType, ReadOnlySpan<byte> content, bool embed = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(mediaType);
        return new Descriptor
        {
            MediaType = mediaType,
            Digest = Digest.Compute(content),
            Size = content.Length,
            Data = embed ? content.ToArray() : null,
        };
    }

    /// <summary>
    /// The empty descriptor of image-spec 1.1 (<see cref="MediaTypes.Empty"/>, content <c>{}</c>), used as the
    /// config and sole layer of artifacts that need neither.
    /// </summary>
    public static Descriptor CreateEmpty() => FromContent(MediaTypes.Empty, "{}"u8);
}
