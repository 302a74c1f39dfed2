using System.Text.Json;
using System.Text.Json.Serialization;

namespace Containers.Oci.Image;

/// <summary>
/// An image index: a list of manifests, typically one per platform. Both the OCI image index and the
/// Docker manifest list parse into this type; <see cref="MediaType"/> tells them apart.
/// </summary>
public sealed class ImageIndex
{
    /// <summary>The index schema version; always 2.</summary>
    [JsonPropertyName("schemaVersion")]
    public required int SchemaVersion { get; set; }

    /// <summary>
    /// The media type of this document: <see cref="MediaTypes.ImageIndex"/> or
    /// <see cref="MediaTypes.DockerManifestList"/>.
    /// </summary>
    [JsonPropertyName("mediaType")]
    public string? MediaType { get; set; }

    /// <summary>The type of an artifact, when the index describes one.</summary>
    [JsonPropertyName("artifactType")]
    public string? ArtifactType { get; set; }

    /// <summary>The referenced manifests (or nested indexes), each usually with a <see cref="Descriptor.Platform"/>.</summary>
    [JsonPropertyName("manifests")]
    public required IList<Descriptor> Manifests { get; set; }

    /// <summary>The manifest this index refers to.</summary>
    [JsonPropertyName("subject")]
    public Descriptor? Subject { get; set; }

    /// <summary>Arbitrary metadata.</summary>
    [JsonPropertyName("annotations")]
    public IDictionary<string, string>? Annotations { get; set; }

    /// <summary>Fields this version does not know, kept so a round trip does not lose them.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
