using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Containers.Oci.Image;

/// <summary>
/// Reads and writes image-spec documents: bounded (documents over the limit are refused before
/// parsing), source-generated, and validated with <see cref="ImageSpecValidator"/>. Every problem
/// is an <see cref="InvalidSpecException"/> naming the field, or a <see cref="SizeLimitExceededException"/>.
/// </summary>
public static class ImageSpecJson
{
    /// <summary>The default bound for a manifest: 4 MiB, as containerd and the distribution spec bound manifests.</summary>
    public const int MaxManifestBytes = 4 * 1024 * 1024;

    /// <summary>The default bound for an index or manifest list: 4 MiB.</summary>
    public const int MaxIndexBytes = 4 * 1024 * 1024;

    /// <summary>The default bound for an image config: 8 MiB (configs carry long histories).</summary>
    public const int MaxConfigBytes = 8 * 1024 * 1024;

    /// <summary>The default bound for a lone descriptor or the <c>oci-layout</c> file: 64 KiB.</summary>
    public const int MaxSmallDocumentBytes = 64 * 1024;

    /// <summary>Parses and validates an image manifest (OCI or Docker schema 2).</summary>
    /// <exception cref="InvalidSpecException">The manifest is malformed or invalid.</exception>
    /// <exception cref="SizeLimitExceededException">The manifest is larger than <paramref name="maxBytes"/>.</exception>
    public static Manifest ParseManifest(ReadOnlySpan<byte> utf8Json, long maxBytes = MaxManifestBytes) =>
        Checked(Deserialize(utf8Json, ImageSpecJsonContext.Default.Manifest, maxBytes, ImageSpecValidator.CheckManifestMediaType), ImageSpecValidator.Validate);

    /// <summary>Parses and validates an image index (OCI index or Docker manifest list).</summary>
    /// <exception cref="InvalidSpecException">The index is malformed or invalid.</exception>
    /// <exception cref="SizeLimitExceededException">The index is larger than <paramref name="maxBytes"/>.</exception>
    public static ImageIndex ParseIndex(ReadOnlySpan<byte> utf8Json, long maxBytes = MaxIndexBytes) =>
        Checked(Deserialize(utf8Json, ImageSpecJsonContext.Default.ImageIndex, maxBytes, ImageSpecValidator.CheckIndexMediaType), ImageSpecValidator.Validate);

    /// <summary>Parses and validates an image config.</summary>
    /// <exception cref="InvalidSpecException">The config is malformed or invalid.</exception>
    /// <exception cref="SizeLimitExceededException">The config is larger than <paramref name="maxBytes"/>.</exception>
    public static ImageConfig ParseConfig(ReadOnlySpan<byte> utf8Json, long maxBytes = MaxConfigBytes) =>
        Checked(OciJson.Deserialize(utf8Json, ImageSpecJsonContext.Default.ImageConfig, maxBytes), ImageSpecValidator.Validate);

    /// <summary>Parses and validates a descriptor document (<see cref="MediaTypes.Descriptor"/>).</summary>
    /// <exception cref="InvalidSpecException">The descriptor is malformed or invalid.</exception>
    /// <exception cref="SizeLimitExceededException">The descriptor is larger than <paramref name="maxBytes"/>.</exception>
    public static Descriptor ParseDescriptor(ReadOnlySpan<byte> utf8Json, long maxBytes = MaxSmallDocumentBytes) =>
        Checked(OciJson.Deserialize(utf8Json, ImageSpecJsonContext.Default.Descriptor, maxBytes), d => ImageSpecValidator.ValidateDescriptor(d));

    /// <summary>Parses and validates an <c>oci-layout</c> file.</summary>
    /// <exception cref="InvalidSpecException">The file is malformed or names another layout version.</exception>
    /// <exception cref="SizeLimitExceededException">The file is larger than <paramref name="maxBytes"/>.</exception>
    public static ImageLayout ParseLayout(ReadOnlySpan<byte> utf8Json, long maxBytes = MaxSmallDocumentBytes) =>
        Checked(OciJson.Deserialize(utf8Json, ImageSpecJsonContext.Default.ImageLayout, maxBytes), ImageSpecValidator.Validate);

    /// <summary>Reads, parses and validates an image manifest from a stream.</summary>
    /// <inheritdoc cref="ParseManifest" path="/exception"/>
    public static async Task<Manifest> ReadManifestAsync(Stream stream, long maxBytes = MaxManifestBytes, CancellationToken cancellationToken = default) =>
        ParseManifest(await OciJson.ReadBoundedAsync(stream, maxBytes, nameof(Manifest), cancellationToken).ConfigureAwait(false), maxBytes);

    /// <summary>Reads, parses and validates an image index from a stream.</summary>
    /// <inheritdoc cref="ParseIndex" path="/exception"/>
    public static async Task<ImageIndex> ReadIndexAsync(Stream stream, long maxBytes = MaxIndexBytes, CancellationToken cancellationToken = default) =>
        ParseIndex(await OciJson.ReadBoundedAsync(stream, maxBytes, nameof(ImageIndex), cancellationToken).ConfigureAwait(false), maxBytes);

    /// <summary>Reads, parses and validates an image config from a stream.</summary>
    /// <inheritdoc cref="ParseConfig" path="/exception"/>
    public static async Task<ImageConfig> ReadConfigAsync(Stream stream, long maxBytes = MaxConfigBytes, CancellationToken cancellationToken = default) =>
        ParseConfig(await OciJson.ReadBoundedAsync(stream, maxBytes, nameof(ImageConfig), cancellationToken).ConfigureAwait(false), maxBytes);

    /// <summary>Serialises a manifest to compact UTF-8 JSON, escaped as Go escapes it.</summary>
    public static byte[] Serialize(Manifest manifest) => OciJson.SerializeToUtf8Bytes(manifest, ImageSpecJsonContext.GoCompatible.Manifest);

    /// <summary>Serialises an index to UTF-8 JSON.</summary>
    public static byte[] Serialize(ImageIndex index) => OciJson.SerializeToUtf8Bytes(index, ImageSpecJsonContext.GoCompatible.ImageIndex);

    /// <summary>Serialises an image config to UTF-8 JSON.</summary>
    public static byte[] Serialize(ImageConfig config) => OciJson.SerializeToUtf8Bytes(config, ImageSpecJsonContext.GoCompatible.ImageConfig);

    /// <summary>Serialises a descriptor to UTF-8 JSON.</summary>
    public static byte[] Serialize(Descriptor descriptor) => OciJson.SerializeToUtf8Bytes(descriptor, ImageSpecJsonContext.GoCompatible.Descriptor);

    /// <summary>Serialises an <c>oci-layout</c> file to UTF-8 JSON.</summary>
    public static byte[] Serialize(ImageLayout layout) => OciJson.SerializeToUtf8Bytes(layout, ImageSpecJsonContext.GoCompatible.ImageLayout);

    private static T Checked<T>(T value, Action<T> validate)
    {
        validate(value);
        return value;
    }

    // A document of the wrong kind (an index given as a manifest) usually also lacks required fields;
    // naming its mediaType is the more useful error than naming the first missing field.
    private static T Deserialize<T>(ReadOnlySpan<byte> utf8Json, JsonTypeInfo<T> typeInfo, long maxBytes, Action<string?> checkMediaType)
    {
        try
        {
            return OciJson.Deserialize(utf8Json, typeInfo, maxBytes);
        }
        catch (InvalidSpecException) when (PeekMediaType(utf8Json) is string mediaType)
        {
            checkMediaType(mediaType);
            throw;
        }
    }

    private static string? PeekMediaType(ReadOnlySpan<byte> utf8Json) => Scan(utf8Json).MediaType;

    /// <summary>
    /// The media type of a manifest-like document: its <c>mediaType</c> field, or, when it has none (it is
    /// optional in OCI documents), <see cref="MediaTypes.ImageIndex"/> for a document with <c>manifests</c>,
    /// <see cref="MediaTypes.ImageManifest"/> for one with <c>config</c> or <c>layers</c>, and
    /// <see cref="MediaTypes.DockerManifestSchema1Signed"/> for a schema 1 manifest (<c>fsLayers</c>).
    /// Null when the document is none of these or is not a JSON object. Only top-level keys are read.
    /// </summary>
    /// <remarks>For registries that answer with a generic Content-Type, and for <c>index.json</c>-style files.</remarks>
    public static string? DetectMediaType(ReadOnlySpan<byte> utf8Json)
    {
        (string? mediaType, bool manifests, bool configOrLayers, bool fsLayers) = Scan(utf8Json);
        return mediaType
            ?? (manifests ? MediaTypes.ImageIndex
            : configOrLayers ? MediaTypes.ImageManifest
            : fsLayers ? MediaTypes.DockerManifestSchema1Signed
            : null);
    }

    private static (string? MediaType, bool Manifests, bool ConfigOrLayers, bool FsLayers) Scan(ReadOnlySpan<byte> utf8Json)
    {
        (string? mediaType, bool manifests, bool configOrLayers, bool fsLayers) = (null, false, false, false);
        Utf8JsonReader reader = new(utf8Json);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return default;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                bool isMediaType = reader.ValueTextEquals("mediaType"u8);
                manifests |= reader.ValueTextEquals("manifests"u8);
                configOrLayers |= reader.ValueTextEquals("config"u8) || reader.ValueTextEquals("layers"u8);
                fsLayers |= reader.ValueTextEquals("fsLayers"u8);
                reader.Read();
                if (isMediaType && reader.TokenType == JsonTokenType.String)
                {
                    mediaType = reader.GetString();
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
            // Malformed or truncated JSON: report what was seen before the fault.
        }

        return (mediaType, manifests, configOrLayers, fsLayers);
    }
}
