using System.Text.Json;
using System.Text.Json.Serialization;

namespace Containers.Oci.Image;

/// <summary>
/// An image manifest: one image's config and layers for a single platform. Both the OCI image manifest
/// and the Docker image manifest v2 schema 2 parse into this type; <see cref="MediaType"/> tells them apart.
/// </summary>
public sealed class Manifest
{
    /// <summary>The manifest schema version; always 2.</summary>
    [JsonPropertyName("schemaVersion")]
    public required int SchemaVersion { get; set; }

    /// <summary>
    /// The media type of this document: <see cref="MediaTypes.ImageManifest"/> or
    /// <see cref="MediaTypes.DockerManifest"/>. Optional for OCI manifests, present in Docker ones.
    /// </summary>
    [JsonPropertyName("mediaType")]
    public string? MediaType { get; set; }

    /// <summary>The type of an artifact, when the manifest describes one rather than a container image.</summary>
    [JsonPropertyName("artifactType")]
    public string? ArtifactType { get; set; }

    /// <summary>The image config (or, for artifacts, often the empty descriptor).</summary>
    [JsonPropertyName("config")]
    public required Descriptor Config { get; set; }

    /// <summary>The layers, base layer first.</summary>
    [JsonPropertyName("layers")]
    public required IList<Descriptor> Layers { get; set; }

    /// <summary>The manifest this one refers to (for signatures, SBOMs and other referrers).</summary>
    [JsonPropertyName("subject")]
    public Descriptor? Subject { get; set; }

    /// <summary>Arbitrary metadata.</summary>
    [JsonPropertyName("annotations")]
    public IDictionary<string, string>? Annotations { get; set; }

    /// <summary>Fields this version does not know, kept so a round trip does not lose them.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? ExtensionData { get; set; }
}
